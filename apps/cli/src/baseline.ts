import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError, unknownChoice } from './errors.js';
import { writeFileAtomic } from './files.js';
import type { Io } from './io.js';
import { toJsonText } from './output.js';

/** Baselines live in the working directory, one JSON document per name. */
export const BASELINE_DIR = join('.pfmsim', 'baselines');

export function checkBaselineName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new UsageError(
      `invalid baseline name "${name}"`,
      'use letters, digits, ".", "_" and "-" (at most 64), e.g. "before-fix"',
    );
  }
  return name;
}

export function baselinePath(io: Io, name: string): string {
  return join(io.cwd, BASELINE_DIR, `${checkBaselineName(name)}.json`);
}

export function listBaselines(io: Io, command: string): string[] {
  const dir = join(io.cwd, BASELINE_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .filter((n) => {
      try {
        return (
          (JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) as { command?: unknown }).command ===
          command
        );
      } catch {
        return false;
      }
    })
    .sort();
}

/** Loads a baseline saved by the same command; a missing one names the closest saved name. */
export function loadBaseline(io: Io, name: string, command: string): Record<string, unknown> {
  const path = baselinePath(io, name);
  if (!existsSync(path)) {
    const saved = listBaselines(io, command);
    if (saved.length === 0) {
      throw new UsageError(
        `no baseline "${name}" in ${BASELINE_DIR}`,
        `save one first with \`pfmsim ${command} --save-baseline ${name}\``,
      );
    }
    throw unknownChoice(`baseline for ${command}`, name, saved);
  }
  let data: unknown;
  try {
    // Stryker disable next-line StringLiteral: without an encoding readFileSync gives a Buffer, which JSON.parse reads as UTF-8 all the same
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(
      `baseline ${relative(io.cwd, path)} is not valid JSON (${(e as Error).message})`,
      'save it again',
    );
  }
  // A number, a string or an array has no command either.
  if ((data as { command?: unknown } | null)?.command !== command) {
    throw new UsageError(
      `baseline "${name}" was not saved by \`pfmsim ${command}\``,
      'pick a baseline of this command',
    );
  }
  return data as Record<string, unknown>;
}

export function saveBaseline(io: Io, name: string, doc: Record<string, unknown>): string {
  const path = baselinePath(io, name);
  mkdirSync(join(io.cwd, BASELINE_DIR), { recursive: true });
  writeFileAtomic(path, toJsonText(doc));
  return relative(io.cwd, path);
}

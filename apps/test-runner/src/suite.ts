/** Finding scenario files and running many of them. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type LoadedScenario, loadScenarioFile, ScenarioError } from './load.js';
import { type RunOptions, runScenario, type ScenarioResult } from './run.js';

export class MissingPathError extends Error {
  override readonly name = 'MissingPathError';
}

/** Scenario files under `paths` (files as given; directories searched for *.yaml / *.yml, sorted). */
export function findScenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    // Stryker disable next-line MethodExpression: libuv's scandir already sorts the names on Linux (the sort keeps the order elsewhere)
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      // a dangling link is listed, and fails to load like any unreadable file
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(entry)) out.push(p);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new MissingPathError(`no such file or directory: ${p}`);
    if (statSync(p).isDirectory()) walk(p);
    else out.push(p);
  }
  return [...new Set(out)];
}

export interface SuiteOptions extends RunOptions {
  /** Only scenarios whose name or file contains this text (case-insensitive). */
  filter?: string | undefined;
  /** Called as each scenario finishes (reporters stream). */
  onScenario?: (r: ScenarioResult) => void;
  /** Also returns the loaded scenarios (for --update). */
  onLoaded?: (sc: LoadedScenario, r: ScenarioResult) => void;
}

export interface SuiteResult {
  readonly scenarios: readonly ScenarioResult[];
  readonly passed: number;
  readonly failed: number;
  readonly ms: number;
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** Loads and runs every scenario file under `paths`. Throws MissingPathError for a missing path. */
export function runSuite(paths: readonly string[], opts: SuiteOptions = {}): SuiteResult {
  const t0 = performance.now();
  const files = findScenarioFiles(paths);
  const filter = opts.filter?.toLowerCase();
  const scenarios: ScenarioResult[] = [];
  for (const file of files) {
    const shown = displayPath(file);
    let sc: LoadedScenario;
    try {
      sc = loadScenarioFile(file, shown);
    } catch (e) {
      if (filter && !shown.toLowerCase().includes(filter)) continue;
      const message = e instanceof ScenarioError ? e.message : `${shown}: ${(e as Error).message}`;
      const r: ScenarioResult = {
        file: shown,
        scenario: shown,
        tests: [{ file: shown, scenario: shown, strategy: '-', passed: false, failures: [message], ms: 0 }],
      };
      scenarios.push(r);
      opts.onScenario?.(r);
      continue;
    }
    if (filter && !sc.data.name.toLowerCase().includes(filter) && !shown.toLowerCase().includes(filter))
      continue;
    const r = runScenario(sc, opts);
    scenarios.push(r);
    opts.onScenario?.(r);
    opts.onLoaded?.(sc, r);
  }
  const tests = scenarios.flatMap((s) => s.tests);
  const passed = tests.filter((t) => t.passed).length;
  return { scenarios, passed, failed: tests.length - passed, ms: performance.now() - t0 };
}

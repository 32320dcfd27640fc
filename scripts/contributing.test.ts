// CONTRIBUTING.md's commands work from the repository root as written: every fenced `sh`
// block without a marker is run there and must exit 0. Blocks marked `placeholder` (names to
// replace), `interactive` (asks questions), `setup` (changes the installation) or `slow`
// (minutes) are not run; they are listed below, so a new one is a deliberate change. Every
// inline `pnpm ...` command of the prose must be one of the blocks' commands, so none escapes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MARKERS = ['placeholder', 'interactive', 'setup', 'slow'] as const;
type Marker = (typeof MARKERS)[number] | 'run';

interface Command {
  readonly marker: Marker;
  readonly line: string;
}

/** The commands of every fenced `sh` block (indented ones in lists too), with the block's marker. */
function fencedCommands(markdown: string): Command[] {
  const out: Command[] = [];
  let marker: Marker | undefined;
  for (const raw of markdown.split('\n')) {
    const line = raw.trim();
    if (marker === undefined) {
      const open = /^```sh(?:\s+(\S+))?\s*$/.exec(line);
      if (open === null) continue;
      const word = open[1];
      if (word !== undefined && !(MARKERS as readonly string[]).includes(word)) {
        throw new Error(`unknown marker "${word}" on a sh block (known: ${MARKERS.join(', ')})`);
      }
      marker = (word as Marker | undefined) ?? 'run';
    } else if (line.startsWith('```')) {
      marker = undefined;
    } else if (line !== '' && !line.startsWith('#')) {
      out.push({ marker, line: line.replace(/\s+#.*$/, '') });
    }
  }
  return out;
}

/** Inline code spans of the prose that are pnpm commands. */
function inlinePnpmCommands(markdown: string): string[] {
  const prose = markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, '');
  return [...prose.matchAll(/`(pnpm [^`]+)`/g)].map((m) => m[1] as string);
}

const contributing = () => readFileSync(`${ROOT}CONTRIBUTING.md`, 'utf8');

describe('the command extraction', () => {
  it('reads the marker of each block, skips comments and blank lines, and refuses an unknown marker', () => {
    const md = [
      'text `pnpm a` more',
      '```sh',
      'pnpm a  # comment',
      '',
      '# a comment line',
      '```',
      '  ```sh slow',
      '  pnpm b',
      '  ```',
      '```ts',
      'not a command',
      '```',
    ].join('\n');
    expect(fencedCommands(md)).toEqual([
      { marker: 'run', line: 'pnpm a' },
      { marker: 'slow', line: 'pnpm b' },
    ]);
    expect(inlinePnpmCommands(md)).toEqual(['pnpm a']);
    expect(() => fencedCommands('```sh later\npnpm c\n```')).toThrow('unknown marker "later"');
  });
});

describe('CONTRIBUTING.md', () => {
  it('lists the commands it does not run here, each for its reason', () => {
    const skipped = fencedCommands(contributing()).filter((c) => c.marker !== 'run');
    expect(skipped).toEqual([
      { marker: 'setup', line: 'pnpm install' },
      { marker: 'slow', line: 'pnpm test' },
      { marker: 'placeholder', line: 'pnpm --filter <package> test' },
      { marker: 'interactive', line: 'pnpm changeset' },
      { marker: 'slow', line: 'pnpm --filter @pfmsim/pmu-models test' },
      {
        marker: 'placeholder',
        line: 'pfmsim compare --plugin ./my-plugin.mjs --strategies kmalloc,my-kmalloc',
      },
      { marker: 'placeholder', line: 'pnpm mutation packages/pmu-models/src/schemes/<name>.ts' },
      { marker: 'slow', line: 'pnpm mutation packages/kernel-sim/src/race.ts --survivors' },
      { marker: 'slow', line: 'pnpm mutation --package packages/kernel-sim' },
      { marker: 'slow', line: 'pnpm mutation' },
      { marker: 'slow', line: 'pnpm mutation --force' },
      { marker: 'slow', line: 'pnpm mutation --ci' },
      { marker: 'placeholder', line: 'pnpm mutation --package <dir>' },
      { marker: 'placeholder', line: 'pnpm mutation --inputs --package <dir>' },
    ]);
  });

  it('every pnpm command of the prose is a command of a block', () => {
    const commands = new Set(fencedCommands(contributing()).map((c) => c.line));
    const missing = inlinePnpmCommands(contributing()).filter((c) => !commands.has(c));
    expect(missing).toEqual([]);
  });

  it('runs every other command from the repository root, each exiting 0', { timeout: 60_000 }, () => {
    const run = fencedCommands(contributing()).filter((c) => c.marker === 'run');
    expect(run.length).toBeGreaterThan(0);
    const env = { ...process.env, FORCE_COLOR: '0' };
    // pnpm sets it for the scripts it runs; the commands must not depend on an inherited one
    delete env.INIT_CWD;
    for (const { line } of run) {
      const r = spawnSync('sh', ['-c', line], { cwd: ROOT, env, encoding: 'utf8' });
      expect(r.status, `${line}\n${r.stdout}\n${r.stderr}`).toBe(0);
    }
  });
});

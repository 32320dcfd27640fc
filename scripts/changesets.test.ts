import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import parseChangesetModule from '@changesets/parse';
import readChangesetsModule from '@changesets/read';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module without types
import { publicPackages } from './release/workspace.mjs';

// The package is CommonJS with an ES-module default export inside.
const readChangesets = ((readChangesetsModule as unknown as { default?: unknown }).default ??
  readChangesetsModule) as typeof readChangesetsModule;
const parseChangeset = ((parseChangesetModule as unknown as { default?: unknown }).default ??
  parseChangesetModule) as typeof parseChangesetModule;

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, '.changeset');
const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const names = new Set(publicPackages(root).map((p: { name: string }) => p.name));

function biomeFormat(path: string, text: string) {
  return spawnSync('pnpm', ['exec', 'biome', 'format', `--stdin-file-path=${path}`], {
    cwd: root,
    input: text,
    encoding: 'utf8',
  });
}

describe('changesets', () => {
  // Right after a release there are none: that is a valid state, and every check below holds.
  it('all parse with the reader `changeset version` and `changeset publish` use', async () => {
    const changesets = await readChangesets(root);
    expect(changesets).toHaveLength(files.length);
    for (const changeset of changesets) {
      expect(changeset.releases.length, `${changeset.id}: names no package`).toBeGreaterThan(0);
      for (const release of changeset.releases) {
        expect(names, `${changeset.id}: ${release.name} is not a public workspace package`).toContain(
          release.name,
        );
        expect(['patch', 'minor', 'major'], `${changeset.id}: bump`).toContain(release.type);
      }
      expect(changeset.summary.trim().length, `${changeset.id}: summary`).toBeGreaterThan(20);
    }
  });

  it('the parser the reader uses rejects a changeset whose frontmatter became a heading (how two broke)', () => {
    // Checked on the parser: @changesets/read, given a broken file, leaves a rejection unhandled
    // for a moment (Node 26 reports it).
    expect(() =>
      parseChangeset("---\n\n## '@pfmsim/lab': minor\n\nA summary long enough to count.\n"),
    ).toThrow('could not parse changeset - missing or invalid frontmatter');
    expect(parseChangeset("---\n'@pfmsim/lab': minor\n---\n\nA summary.\n").releases).toEqual([
      { name: '@pfmsim/lab', type: 'minor' },
    ]);
  });

  for (const file of files) {
    it(`${file}: the formatter leaves it alone`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const out = biomeFormat(`.changeset/${file}`, text);
      expect(out.status).toBe(0);
      expect(out.stdout).toBe(text);
    });
  }

  it('the check above fails on a changeset the formatter would rewrite (biome turns frontmatter into a heading)', () => {
    const text = "---\n'@pfmsim/lab': patch\n---\n\nA summary long enough to count.\n";
    const out = biomeFormat('x.md', text);
    expect(out.stdout).not.toBe(text);
    expect(out.stdout).toContain("## '@pfmsim/lab': patch");
  });
});

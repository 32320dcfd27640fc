import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readChangesetsModule from '@changesets/read';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module without types
import { publicPackages } from './release/workspace.mjs';

// The package is CommonJS with an ES-module default export inside.
const readChangesets = ((readChangesetsModule as unknown as { default?: unknown }).default ??
  readChangesetsModule) as typeof readChangesetsModule;

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, '.changeset');
const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const names = new Set(publicPackages(root).map((p: { name: string }) => p.name));
const scratch = mkdtempSync(join(tmpdir(), 'pfmsim-changesets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

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

  it('the reader rejects a changeset whose frontmatter became a heading (how two of them broke)', async () => {
    const copy = join(scratch, 'broken');
    cpSync(dir, join(copy, '.changeset'), { recursive: true });
    writeFileSync(
      join(copy, '.changeset', 'broken.md'),
      "---\n\n## '@pfmsim/lab': minor\n\nA summary long enough to count.\n",
    );
    await expect(readChangesets(copy)).rejects.toThrow(
      'could not parse changeset - missing or invalid frontmatter',
    );
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

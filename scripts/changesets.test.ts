import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module without types
import { publicPackages } from './release/workspace.mjs';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, '.changeset');
const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const names = new Set(publicPackages(root).map((p: { name: string }) => p.name));
const scratch = mkdtempSync(join(tmpdir(), 'pfmsim-changesets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The frontmatter of a changeset: `---`, one `'name': bump` line per package, `---`, summary. */
function frontmatter(text: string) {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!m) return null;
  const releases = m[1]!.split('\n').map((line) => /^\s*['"]?([^'":]+)['"]?\s*:\s*(\w+)\s*$/.exec(line));
  return { releases, summary: m[2]!.trim() };
}

describe('changesets', () => {
  it('are present', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: frontmatter first, known public packages, a bump type and a summary', (file) => {
    const parsed = frontmatter(readFileSync(join(dir, file), 'utf8'));
    expect(parsed, `${file} must open with a --- frontmatter block`).not.toBeNull();
    for (const release of parsed!.releases) {
      expect(release, `${file}: every frontmatter line is 'package': bump`).not.toBeNull();
      expect(names, `${file}: ${release![1]} is not a public workspace package`).toContain(release![1]);
      expect(['patch', 'minor', 'major']).toContain(release![2]);
    }
    expect(parsed!.summary.length).toBeGreaterThan(20);
  });

  it.each(files)(
    '%s: the formatter leaves it alone (biome once turned frontmatter into a heading)',
    (file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const out = spawnSync('pnpm', ['exec', 'biome', 'format', `--stdin-file-path=.changeset/${file}`], {
        cwd: root,
        input: text,
        encoding: 'utf8',
      });
      expect(out.status).toBe(0);
      expect(out.stdout).toBe(text);
    },
  );

  it('the check above fails on a changeset the formatter would rewrite', () => {
    const text = "---\n'@pfmsim/lab': patch\n---\n\nA summary long enough to count.\n";
    const out = spawnSync('pnpm', ['exec', 'biome', 'format', '--stdin-file-path=x.md'], {
      cwd: root,
      input: text,
      encoding: 'utf8',
    });
    expect(out.stdout).not.toBe(text);
    expect(frontmatter(out.stdout)).toBeNull();
  });

  it('`changeset status` reads every one of them', () => {
    const output = join(scratch, 'status.json');
    execFileSync('pnpm', ['exec', 'changeset', 'status', `--output=${output}`], { cwd: root, stdio: 'pipe' });
    const status = JSON.parse(readFileSync(output, 'utf8')) as { changesets: unknown[]; releases: unknown[] };
    expect(status.changesets).toHaveLength(files.length);
  });
});

// The workspace a release is made from: its public packages, a throwaway copy of it (so that
// `changeset version` can run without touching the checkout), and the release steps.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ReleaseError, run } from './proc.mjs';

/**
 * The workspace's publishable packages (those not marked private), from packages/* and apps/*.
 * @param {string} root
 * @returns {Array<{ dir: string, name: string, version: string, pkg: any }>}
 */
export function publicPackages(root) {
  return ['packages', 'apps']
    .filter((group) => existsSync(join(root, group)))
    .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => pkg.private !== true)
    .map(({ dir, pkg }) => ({ dir, name: pkg.name, version: pkg.version, pkg }));
}

/**
 * Copies the files git would commit (tracked and untracked, not ignored; no node_modules,
 * dist or .git) from `root` to `dest`. A directory that is not a git checkout is copied whole
 * except node_modules, dist, .turbo and .git.
 */
export function copyWorkspace(root, dest) {
  let files;
  try {
    files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\0')
      .filter(Boolean);
  } catch {
    files = walk(root, '');
  }
  for (const file of files) {
    const from = join(root, file);
    if (!existsSync(from) || lstatSync(from).isDirectory()) continue; // deleted, or a submodule
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(from, join(dest, file));
  }
}

function walk(root, rel) {
  const skip = new Set(['node_modules', 'dist', '.turbo', '.git']);
  return readdirSync(join(root, rel), { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    return entry.isDirectory() ? walk(root, path) : [path];
  });
}

/**
 * `pnpm install` from the store only: the copy gets exactly the checkout's lockfile. That
 * lockfile was verified against pnpm's supply-chain policies when the checkout was installed;
 * verifying again would need registry metadata the throwaway registry does not have.
 */
export async function installOffline(dir, env) {
  await run('pnpm', ['install', '--offline', '--frozen-lockfile', '--trust-lockfile', '--reporter=silent'], {
    cwd: dir,
    env,
    label: 'pnpm install --offline (in the release copy)',
  });
}

/**
 * The effective registry of npm and of pnpm in `dir` must be `url`: the last guard before
 * anything is published.
 */
export async function assertRegistry(dir, env, url) {
  for (const tool of ['npm', 'pnpm']) {
    const { stdout } = await run(tool, ['config', 'get', 'registry'], { cwd: dir, env });
    const got = stdout.trim();
    if (got.replace(/\/?$/, '/') !== url) {
      throw new ReleaseError(`${tool} would publish to ${got}, not to ${url}; nothing was published`);
    }
  }
  for (const { name, pkg } of publicPackages(dir)) {
    const override = pkg.publishConfig?.registry ?? pkg.publishConfig?.['@pfmsim:registry'];
    if (override) {
      throw new ReleaseError(
        `${name} sets publishConfig.registry (${override}); remove it, the release names the registry`,
      );
    }
  }
}

/** The changeset files waiting in `.changeset/`. */
export function pendingChangesets(dir) {
  return readdirSync(join(dir, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
}

/** `changeset version`: consumes the changesets, bumps versions, writes the CHANGELOGs. */
export async function versionPackages(dir, env) {
  if (pendingChangesets(dir).length === 0) {
    throw new ReleaseError(
      'there are no changesets, so there is nothing to release; add one with `pnpm changeset`',
    );
  }
  await run('pnpm', ['exec', 'changeset', 'version'], { cwd: dir, env, label: 'changeset version' });
  return publicPackages(dir).map(({ name, version }) => ({ name, version }));
}

/**
 * Builds every public package (pnpm -r: dependencies first, stopping at the first failure).
 * Runs before anything is published, so a package that does not build publishes nothing.
 */
export async function buildAll(dir, env) {
  try {
    await run('pnpm', ['-r', '--workspace-concurrency=2', 'run', 'build'], { cwd: dir, env, label: 'build' });
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error;
    // pnpm -r marks the package that failed first "<dir> build: Failed" (those it stopped follow).
    const failedDir = /^(\S+) build: Failed$/m.exec(error.detail)?.[1];
    const failed = publicPackages(dir).find((p) => failedDir && p.dir === join(dir, failedDir));
    throw new ReleaseError(
      `${failed ? failed.name : 'a package'} does not build; the release stopped before publishing anything`,
      error.detail,
    );
  }
}

/**
 * `changeset publish`: publishes every public package whose version the registry lacks (each
 * one's prepack builds it again and copies the LICENSE in). The registry comes from `env`.
 */
export async function publishAll(dir, env, { gitTag }) {
  const args = ['exec', 'changeset', 'publish', ...(gitTag ? [] : ['--no-git-tag'])];
  return run('pnpm', args, { cwd: dir, env, label: 'changeset publish' });
}

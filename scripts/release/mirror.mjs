// The third-party packages the public packages depend on (zod, commander, yaml and whatever
// they need), published to the throwaway registry from the copies pnpm installed, so that a
// consumer installs with that registry alone and nothing is fetched from a public one.
import { cpSync, existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ReleaseError, run } from './proc.mjs';

/**
 * Every non-workspace package the public packages need at run time, found by Node's lookup
 * from each package's directory, then from each found package's own directory.
 * @param {Array<{ dir: string, pkg: any }>} packages
 * @returns {Array<{ name: string, version: string, dir: string }>}
 */
export function thirdPartyClosure(packages) {
  const found = new Map();
  const queue = [];
  const enqueue = (fromDir, deps, optional) => {
    for (const [name, range] of Object.entries(deps ?? {})) {
      if (String(range).startsWith('workspace:')) continue;
      const dir = findInstalled(fromDir, name);
      if (!dir) {
        if (optional.has(name)) continue;
        throw new ReleaseError(`${name} (needed from ${fromDir}) is not installed; run \`pnpm install\``);
      }
      queue.push(dir);
    }
  };
  for (const { dir, pkg } of packages) enqueue(dir, pkg.dependencies, new Set());
  while (queue.length > 0) {
    const dir = queue.pop();
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const key = `${pkg.name}@${pkg.version}`;
    if (found.has(key)) continue;
    found.set(key, { name: pkg.name, version: pkg.version, dir });
    const optional = new Set([
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.entries(pkg.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta?.optional)
        .map(([name]) => name),
    ]);
    enqueue(dir, { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }, optional);
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function findInstalled(fromDir, name) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Publishes each package from a copy of its installed files, without lifecycle scripts and
 * without any publishConfig (which could name another registry).
 * @param {Array<{ name: string, version: string, dir: string }>} deps
 * @param {string} workDir @param {NodeJS.ProcessEnv} env
 */
export async function publishMirror(deps, workDir, env) {
  for (const dep of deps) {
    const copy = join(workDir, `${dep.name.replace('/', '+')}@${dep.version}`);
    cpSync(dep.dir, copy, {
      recursive: true,
      dereference: true,
      filter: (src) => !src.endsWith('/node_modules'),
    });
    const manifest = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8'));
    delete manifest.publishConfig;
    writeFileSync(join(copy, 'package.json'), JSON.stringify(manifest, null, 2));
    await run('npm', ['publish', copy, '--ignore-scripts', '--tag', 'latest', '--access', 'public'], {
      cwd: workDir,
      env,
      label: `mirror ${dep.name}@${dep.version}`,
    });
    rmSync(copy, { recursive: true, force: true });
  }
}

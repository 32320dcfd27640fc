#!/usr/bin/env node
// What users of single packages get: pack every publishable package from a tree without a
// build (its prepack must build it), check the tarball (dist/ and LICENSE shipped, exports name
// only shipped files, publint, arethetypeswrong), install all tarballs into a scratch project
// outside the workspace and import and require() every public entry point there (and run every
// bin with --version).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args, cwd = root) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

const packages = ['packages', 'apps']
  .filter((dir) => existsSync(join(root, dir)))
  .flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(root, dir, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => pkg.private !== true);

process.stdout.write(`packing ${packages.length} publishable packages, each from a tree without a build\n`);

const scratch = mkdtempSync(join(tmpdir(), 'pfmsim-consumer-'));
const tarballs = join(scratch, 'tarballs');
mkdirSync(tarballs);
let passed = 0;
for (const { dir, pkg } of packages) {
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  rmSync(join(dir, 'LICENSE'), { force: true });
  const out = run('pnpm', ['pack', '--pack-destination', tarballs], dir).trim().split('\n').pop();
  const tarball = out.startsWith('/') ? out : join(tarballs, out);
  checkTarball(pkg.name, tarball);
  run('pnpm', ['exec', 'publint', 'run', tarball, '--strict'], dir);
  run('pnpm', ['exec', 'attw', tarball, '--profile', 'esm-only', '--format', 'table-flipped'], root);
  const kB = (statSync(tarball).size / 1024).toFixed(1);
  process.stdout.write(
    `${pkg.name}: built by prepack, ${kB} kB packed, dist/ + LICENSE, exports shipped, publint and attw clean\n`,
  );
  passed += 3;
}

const consumer = join(scratch, 'consumer');
mkdirSync(consumer);
writeFileSync(
  join(consumer, 'package.json'),
  JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
);
const files = readdirSync(tarballs).map((f) => join(tarballs, f));
run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files], consumer);

for (const { pkg } of packages) {
  for (const [subpath, target] of Object.entries(pkg.exports ?? { '.': pkg.main })) {
    if (subpath === './package.json') continue;
    const specifier = pkg.name + concreteSubpath(consumer, pkg.name, subpath, target).slice(1);
    const isJson = specifier.endsWith('.json') || JSON.stringify(target).includes('.json');
    const code = isJson
      ? `const m = await import(${JSON.stringify(specifier)}, { with: { type: 'json' } }); if (!m.default) process.exit(1);`
      : `const m = await import(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) { console.error('no exports'); process.exit(1); }`;
    run('node', ['--input-type=module', '-e', code], consumer);
    process.stdout.write(`import ${specifier}: ok\n`);
    passed++;
    if (isJson) continue;
    // ESM-only, but Node >= 20.19 can require() it through the `default` condition.
    const cjs = `const m = require(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) process.exit(1);`;
    run('node', ['--no-warnings', '--input-type=commonjs', '-e', cjs], consumer);
    process.stdout.write(`require ${specifier}: ok\n`);
    passed++;
  }
  for (const bin of Object.keys(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {}))) {
    run(join(consumer, 'node_modules', '.bin', bin), ['--version'], consumer);
    process.stdout.write(`bin ${bin} --version: ok\n`);
    passed++;
  }
}
rmSync(scratch, { recursive: true, force: true });

/**
 * The tarball ships dist/ and LICENSE, and its package.json (after pnpm's publishConfig
 * overrides) names in `exports` only files it ships, with no workspace-only condition.
 */
function checkTarball(name, tarball) {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  const fail = (why) => {
    throw new Error(`${name}: ${why} (${tarball})`);
  };
  if (!files.some((f) => f.startsWith('dist/'))) fail('the tarball has no dist/: prepack did not build it');
  if (!files.includes('LICENSE')) fail('the tarball has no LICENSE');
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  );
  const targets = [];
  const collect = (value, conditions) => {
    if (typeof value === 'string') targets.push({ target: value, conditions });
    else for (const [key, inner] of Object.entries(value ?? {})) collect(inner, [...conditions, key]);
  };
  collect(manifest.exports, []);
  for (const { target, conditions } of targets) {
    if (conditions.includes('@pfmsim/source'))
      fail(`exports keep the workspace-only condition @pfmsim/source`);
    const path = target.replace(/^\.\//, '');
    const [prefix, suffix] = path.split('*');
    const shipped = path.includes('*')
      ? files.some((f) => f.startsWith(prefix) && f.endsWith(suffix ?? ''))
      : files.includes(path);
    if (!shipped) fail(`exports ${conditions.join(' > ')} names ${target}, which the tarball does not ship`);
  }
}

/** A wildcard export ("./models/*") is checked through one real file it matches. */
function concreteSubpath(consumerDir, name, subpath, target) {
  if (!subpath.includes('*')) return subpath;
  const pattern = typeof target === 'string' ? target : Object.values(target)[0];
  const [prefix, suffix] = pattern.split('*');
  const base = join(consumerDir, 'node_modules', name);
  const found = findFile(join(base, prefix), suffix);
  if (!found) throw new Error(`${name}: export ${subpath} matches no file in the package`);
  const matched = relative(join(base, prefix), found).slice(0, found.length - suffix.length);
  return subpath.replace('*', matched);
}

function findFile(dir, suffix) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = findFile(path, suffix);
      if (inner) return inner;
    } else if (path.endsWith(suffix)) return path;
  }
  return null;
}

const countsDir = process.env.PFMSIM_COUNTS_DIR;
if (countsDir) {
  mkdirSync(countsDir, { recursive: true });
  writeFileSync(join(countsDir, 'packages.json'), JSON.stringify({ passed, failed: 0 }));
}
process.stdout.write(`packages: ${passed} passed, 0 failed\n`);

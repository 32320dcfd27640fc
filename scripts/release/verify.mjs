#!/usr/bin/env node
// pnpm release:verify: a whole release against a real npm registry server on loopback, then
// what users do with it. See RELEASING.md.
//
// 1. start Verdaccio on --host/--port (another port when that one is taken), throwaway storage;
// 2. copy the checkout to a temporary directory and install it from the pnpm store;
// 3. there, the release's own steps: `changeset version`, build every public package (a
//    failure stops here, before anything is published), `changeset publish` with the registry
//    overridden (each package's prepack builds it and adds the LICENSE);
// 4. in empty directories outside the workspace, with plain npm and that registry alone:
//    @pfmsim/cli (--version, compare), @pfmsim/perfmon-core (its README examples),
//    @pfmsim/test-runner (its README scenario);
// 5. print, last, the versions published, @pfmsim/cli's install size and the seconds from
//    `npm i` to the first compare output.
// The registry stops and the temporary directory goes on every exit path (--keep keeps it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkCli, checkReadmeExamples, checkTestRunner } from './consumer.mjs';
import { publishMirror, thirdPartyClosure } from './mirror.mjs';
import { cleanEnv, onCleanup, ReleaseError, runMain, UsageError } from './proc.mjs';
import { addUser, DEFAULT_PORT, publishedVersions, registryEnv, startRegistry } from './registry.mjs';
import {
  assertRegistry,
  buildAll,
  copyWorkspace,
  installOffline,
  pendingChangesets,
  publicPackages,
  publishAll,
  versionPackages,
} from './workspace.mjs';

const NAME = 'release:verify';
const USAGE = `usage: pnpm release:verify [--port N] [--host ADDRESS] [--keep]
  --port N        the registry's port (default ${DEFAULT_PORT}; another free one when it is taken)
  --host ADDRESS  the registry's address (default 127.0.0.1; loopback only)
  --keep          keep the temporary directory (registry storage, release copy, consumers)`;

function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${error.message.split('\n')[0]}; see --help`);
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port ${values.port}: not a port number; give 0-65535 (0: any free port)`);
  }
  return { port, host: values.host ?? '127.0.0.1', keep: values.keep === true, help: values.help === true };
}

/**
 * @param {string} root the checkout to release
 * @param {{ port: number, host: string, keep: boolean }} options
 * @param {(line: string) => void} log
 * @param {{ afterCopy?: (copyDir: string) => void }} [hooks] for tests: change the copy
 */
export async function verifyRelease(root, options, log, hooks = {}) {
  const t0 = performance.now();
  const seconds = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const tmp = mkdtempSync(join(tmpdir(), 'pfmsim-release-verify-'));
  onCleanup(() => (options.keep ? log(`kept ${tmp}`) : rmSync(tmp, { recursive: true, force: true })));

  const registry = await startRegistry({
    dir: join(tmp, 'registry'),
    host: options.host,
    port: options.port,
  });
  onCleanup(registry.close);
  if (registry.note) log(registry.note);
  log(`registry: Verdaccio at ${registry.url} (storage in ${tmp})`);
  const token = await addUser(registry.url);
  // pnpm 12 would otherwise install (and re-verify the lockfile against the registry, which
  // holds no metadata for it) before running a script in the copy whose versions just changed.
  const env = cleanEnv({
    ...registryEnv(registry, token, join(tmp, 'npm')),
    pnpm_config_verify_deps_before_run: 'false',
  });

  const copy = join(tmp, 'workspace');
  copyWorkspace(root, copy);
  hooks.afterCopy?.(copy);
  if (pendingChangesets(copy).length === 0) {
    // Right after a release main has none; the release path is still verified, as a patch.
    const releases = publicPackages(copy).map((p) => `'${p.name}': patch`);
    writeFileSync(
      join(copy, '.changeset', 'release-verify.md'),
      `---\n${releases.join('\n')}\n---\n\nA patch release made by release:verify.\n`,
    );
    log('no pending changesets: verifying a patch release of every package');
  }
  await installOffline(copy, env);
  await assertRegistry(copy, env, registry.url);
  log(`release copy installed in ${copy} (${seconds()})`);

  const versions = await versionPackages(copy, env);
  log(`changeset version: ${versions.map((p) => `${p.name}@${p.version}`).join(', ')}`);
  await buildAll(copy, env);
  log(`built ${versions.length} packages (${seconds()})`);

  const deps = thirdPartyClosure(publicPackages(copy));
  await publishMirror(deps, join(tmp, 'mirror'), env);
  log(`third-party dependencies on the registry: ${deps.map((d) => `${d.name}@${d.version}`).join(', ')}`);

  await publishAll(copy, env, { gitTag: false });
  for (const { name, version } of versions) {
    if (!(await publishedVersions(registry.url, name)).includes(version)) {
      throw new ReleaseError(`changeset publish did not publish ${name}@${version}`);
    }
  }
  log(`changeset publish: ${versions.length} packages on the registry (${seconds()})`);

  const consumers = join(tmp, 'consumers');
  const cliVersion = versions.find((p) => p.name === '@pfmsim/cli')?.version;
  if (!cliVersion) throw new ReleaseError('the workspace has no public @pfmsim/cli package');
  const cli = await checkCli(join(consumers, 'cli'), env, cliVersion);
  log(`npm i @pfmsim/cli: pfmsim --version and compare --json -q ok (${seconds()})`);
  const examples = await checkReadmeExamples(join(consumers, 'perfmon-core'), env, '@pfmsim/perfmon-core');
  log(`npm i @pfmsim/perfmon-core: ${examples} README examples print what the README shows`);
  const closing = await checkTestRunner(join(consumers, 'test-runner'), env);
  log(`npm i @pfmsim/test-runner: pfmsim-test run on the README scenario: ${closing} (${seconds()})`);

  return { versions, cli };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runMain(NAME, async () => {
    const options = parseOptions(process.argv.slice(2));
    if (options.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    const log = (line) => process.stdout.write(`${NAME}: ${line}\n`);
    const root = new URL('../..', import.meta.url).pathname;
    const { versions, cli } = await verifyRelease(root, options, log);
    const mb = (cli.bytes / 1e6).toFixed(1);
    process.stdout.write(
      `${NAME}: ok: published ${versions.map((p) => `${p.name}@${p.version}`).join(' ')}; ` +
        `@pfmsim/cli installs ${mb} MB in ${cli.packages} packages; ` +
        `npm i to first compare output ${cli.seconds.toFixed(1)} s\n`,
    );
  });
}

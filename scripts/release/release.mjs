#!/usr/bin/env node
// pnpm release: cut a release from a clean checkout of main. See RELEASING.md.
//
// 1. `changeset version`: consume the changesets, bump versions, write the CHANGELOGs;
// 2. build every public package (a failure stops here: nothing is published);
// 3. `pnpm test`, every check CI runs;
// 4. commit the version change, then `changeset publish` (to the registry npm is configured
//    with, normally the public one; each package's prepack builds it again and adds the
//    LICENSE) and tag each published package `name@version`;
// 5. say what to push.
// `pnpm release:verify` runs the same steps against a throwaway local registry first.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ReleaseError, run, runMain, UsageError } from './proc.mjs';
import { buildAll, publishAll, versionPackages } from './workspace.mjs';

const NAME = 'release';
const root = new URL('../..', import.meta.url).pathname;
const log = (line) => process.stdout.write(`${NAME}: ${line}\n`);
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const UNDO =
  'undo the version step with `git restore . && git clean -fd -- .changeset`, then fix and run again';

runMain(NAME, async () => {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: { help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      process.stdout.write('usage: pnpm release   (from a clean checkout of main; see RELEASING.md)\n');
      return;
    }
  } catch (error) {
    throw new UsageError(`${error.message.split('\n')[0]}; see --help`);
  }
  if (git('status', '--porcelain') !== '') {
    throw new ReleaseError('the working tree has uncommitted changes; commit or stash them first');
  }
  const env = process.env;
  const versions = await versionPackages(root, env);
  log(`changeset version: ${versions.map((p) => `${p.name}@${p.version}`).join(', ')}`);
  try {
    await buildAll(root, env);
    log('built every public package');
    const test = await run('pnpm', ['test'], { cwd: root, env, allowFailure: true, label: 'pnpm test' });
    if (test.code !== 0)
      throw new ReleaseError('pnpm test failed; nothing was published', test.stdout.slice(-4000));
    log('pnpm test passed');
  } catch (error) {
    if (error instanceof ReleaseError) error.message += `; ${UNDO}`;
    throw error;
  }
  git('add', '--all');
  git('commit', '--quiet', '-m', `release: ${versions.map((p) => `${p.name}@${p.version}`).join(' ')}`);
  const published = await publishAll(root, env, { gitTag: true });
  process.stdout.write(published.stdout);
  log('published; push the release commit and its tags: git push && git push --tags');
});

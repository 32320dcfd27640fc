// What a user does after a release: in an empty directory outside the workspace, with plain
// npm and the registry alone, install one package and use it the way its README says.
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseError, run } from './proc.mjs';

async function npmInstall(dir, spec, env) {
  mkdirSync(dir, { recursive: true });
  // The consumer is a project of its own: without a package.json npm walks up to the nearest
  // one above the temporary directory (a stray /package.json made npm fail with
  // 'Tracker "idealTree" already exists') and installs there.
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  await run('npm', ['install', spec, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    env,
    label: `npm i ${spec}`,
  });
}

/**
 * `npm i @pfmsim/cli`, `npx pfmsim --version`, `npx pfmsim compare --json -q`.
 * @returns {Promise<{ seconds: number, bytes: number, packages: number }>} npm i to the first
 *   byte of compare's output, and what the install put in node_modules
 */
export async function checkCli(dir, env, version) {
  const start = performance.now();
  await npmInstall(dir, '@pfmsim/cli', env);
  const v = await run('npx', ['--no-install', 'pfmsim', '--version'], {
    cwd: dir,
    env,
    label: 'npx pfmsim --version',
  });
  if (v.stdout.trim() !== version) {
    throw new ReleaseError(`npx pfmsim --version printed "${v.stdout.trim()}", expected ${version}`);
  }
  let firstOutput = 0;
  const compare = await run('npx', ['--no-install', 'pfmsim', 'compare', '--json', '-q'], {
    cwd: dir,
    env,
    label: 'npx pfmsim compare --json -q',
    onFirstOutput: () => {
      firstOutput = performance.now();
    },
  });
  let doc;
  try {
    doc = JSON.parse(compare.stdout);
  } catch {
    throw new ReleaseError(
      `npx pfmsim compare --json -q did not print JSON: ${compare.stdout.slice(0, 200)}`,
    );
  }
  if (doc.pfmsimVersion !== version || doc.command !== 'compare' || !Array.isArray(doc.results)) {
    throw new ReleaseError(
      `npx pfmsim compare --json -q printed an unexpected document (pfmsimVersion ${doc.pfmsimVersion})`,
    );
  }
  const usage = nodeModulesUsage(join(dir, 'node_modules'));
  return { seconds: (firstOutput - start) / 1000, ...usage };
}

/**
 * `npm i @pfmsim/perfmon-core` alone, then every README example that imports only
 * `@pfmsim/*` packages runs as an ES module and must print the output the README shows after it.
 * @returns {Promise<number>} examples run
 */
export async function checkReadmeExamples(dir, env, name) {
  await npmInstall(dir, name, env);
  const readme = readFileSync(join(dir, 'node_modules', name, 'README.md'), 'utf8');
  const examples = readmeExamples(readme);
  if (examples.length === 0) throw new ReleaseError(`${name}: the README has no example with its output`);
  for (const [i, example] of examples.entries()) {
    const file = join(dir, `readme-example-${i + 1}.mjs`);
    writeFileSync(file, example.code);
    const { stdout } = await run('node', [file], { cwd: dir, env, label: `${name} README example ${i + 1}` });
    if (stdout.trimEnd() !== example.output.trimEnd()) {
      throw new ReleaseError(
        `${name} README example ${i + 1} printed something else than the README shows`,
        `--- README\n${example.output}\n--- printed\n${stdout}`,
      );
    }
  }
  return examples.length;
}

/**
 * `npm i @pfmsim/test-runner`, then `pfmsim-test run` on the scenario its README shows.
 * @returns {Promise<string>} the runner's closing line
 */
export async function checkTestRunner(dir, env) {
  await npmInstall(dir, '@pfmsim/test-runner', env);
  const readme = readFileSync(join(dir, 'node_modules', '@pfmsim/test-runner', 'README.md'), 'utf8');
  const scenario = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!scenario) throw new ReleaseError('@pfmsim/test-runner: the README shows no scenario');
  writeFileSync(join(dir, 'readme-scenario.yaml'), scenario);
  const { stdout } = await run('npx', ['--no-install', 'pfmsim-test', 'run', 'readme-scenario.yaml'], {
    cwd: dir,
    env,
    label: 'npx pfmsim-test run (the README scenario)',
  });
  const closing = stdout.trim().split('\n').pop() ?? '';
  if (!/^[1-9]\d* passed, 0 failed$/.test(closing)) {
    throw new ReleaseError(`pfmsim-test run on the README scenario ended with "${closing}"`, stdout);
  }
  return closing;
}

/** Each ```ts block that imports only @pfmsim packages, with the next plain ``` block as its output. */
export function readmeExamples(readme) {
  const blocks = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], body: m[2] }));
  const examples = [];
  blocks.forEach((block, i) => {
    const next = blocks[i + 1];
    if (block.lang !== 'ts' || !next || next.lang !== '') return;
    const imports = [...block.body.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    if (imports.length === 0 || !imports.every((spec) => spec.startsWith('@pfmsim/'))) return;
    examples.push({ code: block.body, output: next.body });
  });
  return examples;
}

/** Apparent size of the files under node_modules and the number of packages installed there. */
export function nodeModulesUsage(dir) {
  let bytes = 0;
  let packages = 0;
  const visit = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isSymbolicLink()) continue; // .bin links
      if (entry.isDirectory()) visit(full);
      else bytes += lstatSync(full).size;
      if (
        entry.isFile() &&
        entry.name === 'package.json' &&
        /node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(path)
      ) {
        packages++;
      }
    }
  };
  visit(dir);
  return { bytes, packages };
}

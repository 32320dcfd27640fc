#!/usr/bin/env node
// pnpm mutation: StrykerJS over pfmsim's sources, with per-module score thresholds.
//
//   pnpm mutation                          every package, incremental (mutation/<package>.json)
//   pnpm mutation --package packages/lab   one package, incremental
//   pnpm mutation FILE [FILE...]           just these files, of one package (not incremental)
//
// The mutants of a package are tested by that package's own tests (its vitest project).
//   --force        with a package: test every mutant again and rewrite its incremental file
//   --ignore-static do not test static mutants (code run while the tests are collected, which
//                  each take the whole suite): they are recorded as Ignored, shown in the
//                  "ignored" column, and tested by the next run without this flag
//   --survivors    list every surviving and uncovered mutant (file:line:column mutator)
//   --digest       with --package: the digest of its inputs that --ci compares
//   --inputs       with --package: the files that digest covers, one per line
//   --config FILE  another Stryker configuration (default stryker.config.mjs)
//   --ci           what CI runs: a package whose inputs (its sources and tests, its package.json,
//                  the Stryker and vitest configs) are those its
//                  committed baseline was made from is scored from the baseline; a changed one is
//                  re-run incrementally; a package with no baseline is named as not checked. A
//                  file below its bar fails unless mutation/below-bar.json records its score,
//                  which it must then keep (a ratchet while the file is brought up to its bar).
//
// Stryker's output goes to reports/mutation/<name>.log; the HTML and JSON reports beside it.
// Exit 1 when a file scores below its bar (STRICT below: 90 %, else 80 %), 2 on bad input.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const NAME = 'mutation';

/** Modules where a surviving bug makes pfmsim's answers wrong: at least 90 %. Elsewhere 80 %. */
const STRICT = [
  /^packages\/kernel-sim\/src\/(sync|irq|race|uaccess)\.ts$/,
  /^packages\/kernel-sim\/src\/(mem|sched)\/[^/]+\.ts$/,
  /^packages\/perfmon-core\/src\/(syscalls|syscalls-v3|system)\.ts$/,
  /^packages\/buffer-strategies\/src\/(strategies\/[^/]+|budget)\.ts$/,
  /^apps\/test-runner\/src\/(run|values)\.ts$/,
  /^packages\/libpfm\/src\/dispatch(-common)?\.ts$/,
];
const threshold = (file) => (STRICT.some((re) => re.test(file)) ? 90 : 80);

class UsageError extends Error {}

function fail(message, code) {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(code);
}

function packageDirs() {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => `${group}/${name}`)
      .filter((dir) => existsSync(join(root, dir, 'src'))),
  );
}

/** The runs to make: one per package (incremental), or one over the files named. */
function plan(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        package: { type: 'string' },
        force: { type: 'boolean' },
        'ignore-static': { type: 'boolean' },
        survivors: { type: 'boolean' },
        config: { type: 'string' },
        ci: { type: 'boolean' },
        digest: { type: 'boolean' },
        inputs: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${error.message.split('\n')[0]}; see --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (values.digest || values.inputs) {
    const flag = values.digest ? '--digest' : '--inputs';
    const dir = relative(root, resolve(process.cwd(), values.package ?? '.'));
    if (!packageDirs().includes(dir)) throw new UsageError(`${flag} needs --package DIR`);
    return values.digest ? { digest: dir } : { inputs: dir };
  }
  let config;
  if (values.config !== undefined) {
    config = resolve(process.env.INIT_CWD ?? process.cwd(), values.config);
    if (!existsSync(config)) throw new UsageError(`--config ${values.config}: no such file`);
  }
  const options = {
    force: values.force === true,
    ignoreStatic: values['ignore-static'] === true,
    survivors: values.survivors === true,
    ci: values.ci === true,
    config,
  };
  if (options.ci && (positionals.length > 0 || values.force || options.ignoreStatic)) {
    throw new UsageError('--ci checks whole packages: give no files, no --force and no --ignore-static');
  }
  options.record = options.ci ? belowBarRecord() : {}; // read before any work, so it fails first
  if (positionals.length > 0) {
    if (values.package) throw new UsageError('give --package or files, not both');
    const files = positionals.map((file) => {
      const rel = relative(root, resolve(process.env.INIT_CWD ?? process.cwd(), file));
      if (!existsSync(join(root, rel)) || !statSync(join(root, rel)).isFile()) {
        throw new UsageError(
          `${file}: no such file; give a source file such as packages/kernel-sim/src/race.ts`,
        );
      }
      if (
        !/^(packages|apps)\/[^/]+\/src\/.+\.ts$/.test(rel) ||
        rel.endsWith('.test.ts') ||
        basename(rel).endsWith('test-util.ts')
      ) {
        throw new UsageError(`${file}: not a source file of a package (packages/*/src/**/*.ts, not a test)`);
      }
      return rel;
    });
    const dir = files[0].split('/').slice(0, 2).join('/');
    const other = files.find((f) => !f.startsWith(`${dir}/`));
    if (other) throw new UsageError(`${other}: not in ${dir}; name files of one package per run`);
    // Named after the package and files, so runs over different files can go side by side.
    const name = `${basename(dir)}-${files.map((f) => basename(f, '.ts')).join('+')}`.slice(0, 80);
    return { ...options, runs: [{ name, dir, mutate: files, incremental: false }] };
  }
  let dirs = packageDirs();
  if (values.package) {
    // A package's own `mutation` script runs in its directory (--package .).
    const rel = relative(root, resolve(process.cwd(), values.package));
    if (!dirs.includes(rel)) {
      throw new UsageError(`--package ${values.package}: not a package; one of ${dirs.join(', ')}`);
    }
    dirs = [rel];
  }
  const runs = dirs.map((dir) => ({
    name: basename(dir),
    dir,
    mutate: [`${dir}/src/**/*.ts`, `!${dir}/src/**/*.test.ts`, `!${dir}/src/**/*test-util.ts`],
    incremental: true,
  }));
  return { ...options, runs };
}

/** Every file under dir, sorted (paths relative to the root). */
function filesUnder(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(join(root, f)).isFile())
    .sort();
}

/**
 * A digest of everything a package's mutation results depend on that a re-run would look at:
 * its sources and tests, its package.json, and the Stryker and vitest configurations (with the
 * shared project definition and test setup). Not the sources of the packages it depends on:
 * Stryker's incremental mode keys each result on the mutated file and the tests that covered
 * it, so after a change below, re-running the package would re-test nothing. `--force`
 * re-measures a package against its dependencies as they are now.
 */
function inputFiles(dir, config) {
  return [
    ...filesUnder(`${dir}/src`),
    `${dir}/package.json`,
    relative(root, config ?? join(root, 'stryker.config.mjs')),
    'vitest.shared.ts',
    'scripts/vitest-setup.ts',
    join(dir, 'vitest.config.ts'),
    // A package's own project for mutation runs, with the sequencer it imports.
    ...(existsSync(join(root, dir, 'vitest.stryker.config.ts'))
      ? [join(dir, 'vitest.stryker.config.ts'), 'scripts/stryker-vitest.ts']
      : []),
  ].filter((f) => existsSync(join(root, f)));
}

/** The digest of those files, names and contents. */
function inputsDigest(dir, config) {
  const hash = createHash('sha256');
  for (const f of inputFiles(dir, config))
    hash
      .update(`${f}\0`)
      .update(readFileSync(join(root, f)))
      .update('\0');
  return hash.digest('hex');
}

// The committed baselines; tests point PFMSIM_MUTATION_BASELINES at a scratch directory.
const baselines = process.env.PFMSIM_MUTATION_BASELINES ?? join(root, 'mutation');
const inputsPath = (run) => join(baselines, `${run.name}.inputs`);
const baselinePath = (run) => join(baselines, `${run.name}.json`);

/** Writes a file whole or not at all. */
function writeAtomic(path, text) {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** mutation/below-bar.json: { file: recorded score } for files not yet at their bar. */
function belowBarRecord() {
  const path = join(baselines, 'below-bar.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`mutation/below-bar.json: ${error.message}; fix the JSON or delete the file`);
  }
}

/** Runs Stryker with its output in a log file; progress lines are echoed. */
function stryker(run, force, config, ignoreStatic = false) {
  const reports = join(root, 'reports', 'mutation');
  mkdirSync(reports, { recursive: true });
  const logPath = join(reports, `${run.name}.log`);
  const log = createWriteStream(logPath);
  const args = ['exec', 'stryker', 'run', ...(config ? [config] : [])];
  if (run.incremental) {
    mkdirSync(baselines, { recursive: true });
    args.push('--incremental', '--incrementalFile', relative(root, baselinePath(run)));
    if (force) args.push('--force');
  }
  if (ignoreStatic) args.push('--ignoreStatic');
  return new Promise((done) => {
    const child = spawn('pnpm', args, {
      cwd: root,
      env: {
        ...process.env,
        PFMSIM_MUTATE: run.mutate.join(','),
        PFMSIM_MUTATION_NAME: run.name,
        PFMSIM_TEST_DIR: run.dir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastTenth = -1;
    const onData = (chunk) => {
      log.write(chunk);
      for (const line of chunk.toString().split('\n')) {
        const percent = /^Mutation testing (\d+)%/.exec(line)?.[1];
        if (percent !== undefined && Math.floor(Number(percent) / 10) > lastTenth) {
          lastTenth = Math.floor(Number(percent) / 10); // a line per 10 %
          process.stdout.write(`${run.name}: ${line}\n`);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => done({ code: 1, error: error.message, logPath }));
    child.on('close', (code) => log.end(() => done({ code: code ?? 1, logPath })));
  });
}

/** The first line of Stryker's log that says what went wrong. */
function strykerError(logPath) {
  const lines = readFileSync(logPath, 'utf8').split('\n');
  const line =
    lines.find((l) => /\bERROR\b/.test(l) && !/^\s+at /.test(l)) ?? lines.find((l) => /Error:/.test(l)) ?? '';
  return line.replace(/^.*?ERROR\s+\S+\s*/, '').trim() || 'no error line';
}

/** Per file: mutants, killed, survived, uncovered, score (killed + timed out over all valid). */
function scores(reportPath) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  // An incremental file keeps the results of files no longer mutated (deleted, or test code).
  const mutated = ([file]) => existsSync(resolve(root, file)) && !file.endsWith('test-util.ts');
  return Object.entries(report.files)
    .filter(mutated)
    .map(([file, { mutants }]) => {
      const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
      const detected = count('Killed', 'Timeout');
      const survived = count('Survived');
      const noCoverage = count('NoCoverage');
      const valid = detected + survived + noCoverage;
      const rel = relative(root, resolve(root, file));
      const survivors = mutants
        .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
        .map(
          (m) =>
            `${rel}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} -> ${m.replacement ?? ''} (${m.status})`,
        );
      return {
        file: rel,
        mutants: valid,
        ignored: count('Ignored'),
        survived,
        noCoverage,
        score: valid === 0 ? 100 : (100 * detected) / valid,
        survivors,
      };
    });
}

async function main() {
  let todo;
  try {
    todo = plan(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) fail(error.message, 2);
    throw error;
  }
  if (todo.help) {
    const lines = readFileSync(new URL(import.meta.url), 'utf8')
      .split('\n')
      .slice(1);
    const header = lines.slice(
      0,
      lines.findIndex((line) => !line.startsWith('//')),
    );
    process.stdout.write(`${header.map((line) => line.replace(/^\/\/ ?/, '')).join('\n')}\n`);
    return;
  }
  if (todo.digest) {
    process.stdout.write(`${inputsDigest(todo.digest, undefined)}\n`);
    return;
  }
  if (todo.inputs) {
    process.stdout.write(
      inputFiles(todo.inputs, undefined)
        .map((f) => `${f}\n`)
        .join(''),
    );
    return;
  }
  const rows = [];
  const unchecked = [];
  for (const run of todo.runs) {
    if (todo.ci) {
      if (!existsSync(baselinePath(run))) {
        unchecked.push(run.dir);
        process.stdout.write(
          `${run.name}: NOT CHECKED, no baseline (make one: pnpm mutation --package ${run.dir} --force)\n`,
        );
        continue;
      }
      const recorded = existsSync(inputsPath(run)) ? readFileSync(inputsPath(run), 'utf8').trim() : '';
      if (recorded === inputsDigest(run.dir, todo.config)) {
        process.stdout.write(
          `${run.name}: unchanged since its baseline; scored from mutation/${run.name}.json\n`,
        );
        rows.push(...scores(baselinePath(run)));
        continue;
      }
    }
    const started = performance.now();
    // The digest of the inputs as Stryker copies them, not as they are when it finishes.
    const digest = run.incremental ? inputsDigest(run.dir, todo.config) : '';
    const result = await stryker(run, todo.force, todo.config, todo.ignoreStatic);
    const reportPath = join(root, 'reports', 'mutation', `${run.name}.json`);
    if (result.code !== 0 || !existsSync(reportPath)) {
      fail(
        `Stryker failed on ${run.name} (exit ${result.code}): ${result.error ?? strykerError(result.logPath)}; full log: ${relative(root, result.logPath)}`,
        1,
      );
    }
    if (run.incremental) writeAtomic(inputsPath(run), `${digest}\n`);
    const minutes = ((performance.now() - started) / 60000).toFixed(1);
    process.stdout.write(`${run.name}: done in ${minutes} min; report reports/mutation/${run.name}.html\n`);
    rows.push(...scores(reportPath));
  }
  const record = todo.record;
  if (rows.length > 0) printTable(rows, todo.survivors, record);
  const failing = rows.filter((r) => r.mutants > 0 && r.score < threshold(r.file) && !held(r, record));
  if (unchecked.length > 0) {
    process.stdout.write(`PARTIAL: ${unchecked.length} package(s) not checked: ${unchecked.join(', ')}\n`);
  }
  if (failing.length > 0) {
    fail(
      `${failing.length} file(s) below their threshold: ${failing.map((r) => `${r.file} ${r.score.toFixed(1)} %`).join(', ')}`,
      1,
    );
  }
}

/** A file below its bar whose score is recorded in mutation/below-bar.json and not lower. */
function held(row, record) {
  const recorded = record[row.file];
  return typeof recorded === 'number' && row.score >= recorded - 0.05;
}

function printTable(rows, withSurvivors, record = {}) {
  const out = [];
  const width = Math.max(4, ...rows.map((r) => r.file.length));
  out.push(`${'file'.padEnd(width)}  mutants  score  survived  no cov  ignored  bar  `);
  let all = { mutants: 0, detected: 0, survived: 0, noCoverage: 0, ignored: 0 };
  for (const r of rows.filter((x) => x.mutants > 0)) {
    const bar = threshold(r.file);
    const recorded = record[r.file];
    const mark =
      r.score >= bar
        ? recorded === undefined
          ? 'ok'
          : 'ok (at its bar: remove it from mutation/below-bar.json)'
        : held(r, record)
          ? `BELOW, held at ${recorded} % (mutation/below-bar.json)`
          : recorded === undefined
            ? 'BELOW'
            : `BELOW, and under its recorded ${recorded} %`;
    out.push(
      `${r.file.padEnd(width)}  ${String(r.mutants).padStart(7)}  ${r.score.toFixed(1).padStart(5)}  ${String(r.survived).padStart(8)}  ${String(r.noCoverage).padStart(6)}  ${String(r.ignored).padStart(7)}  ${String(bar).padStart(3)}  ${mark}`,
    );
    all = {
      mutants: all.mutants + r.mutants,
      detected: all.detected + r.mutants - r.survived - r.noCoverage,
      survived: all.survived + r.survived,
      noCoverage: all.noCoverage + r.noCoverage,
      ignored: all.ignored + r.ignored,
    };
  }
  const total = all.mutants === 0 ? 100 : (100 * all.detected) / all.mutants;
  out.push(
    `${'all'.padEnd(width)}  ${String(all.mutants).padStart(7)}  ${total.toFixed(1).padStart(5)}  ${String(all.survived).padStart(8)}  ${String(all.noCoverage).padStart(6)}  ${String(all.ignored).padStart(7)}`,
  );
  if (withSurvivors) for (const r of rows) out.push(...r.survivors);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error) => fail(`internal error: ${error?.stack ?? error}`, 1));

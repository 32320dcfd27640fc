#!/usr/bin/env node
// pnpm mutation: StrykerJS over pfmsim's sources, with per-module score thresholds.
//
//   pnpm mutation                          every package, incremental (mutation/<package>.json)
//   pnpm mutation --package packages/lab   one package, incremental
//   pnpm mutation FILE [FILE...]           just these files (not incremental)
//   --force        with a package: test every mutant again and rewrite its incremental file
//   --survivors    list every surviving and uncovered mutant (file:line:column mutator)
//   --config FILE  another Stryker configuration (default stryker.config.mjs)
//
// Stryker's output goes to reports/mutation/<name>.log; the HTML and JSON reports beside it.
// Exit 1 when a file scores below its bar (STRICT below: 90 %, else 80 %), 2 on bad input.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
        survivors: { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${error.message.split('\n')[0]}; see --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  let config;
  if (values.config !== undefined) {
    config = resolve(process.env.INIT_CWD ?? process.cwd(), values.config);
    if (!existsSync(config)) throw new UsageError(`--config ${values.config}: no such file`);
  }
  const options = { force: values.force === true, survivors: values.survivors === true, config };
  if (positionals.length > 0) {
    if (values.package) throw new UsageError('give --package or files, not both');
    const files = positionals.map((file) => {
      const rel = relative(root, resolve(process.env.INIT_CWD ?? process.cwd(), file));
      if (!existsSync(join(root, rel)) || !statSync(join(root, rel)).isFile()) {
        throw new UsageError(
          `${file}: no such file; give a source file such as packages/kernel-sim/src/race.ts`,
        );
      }
      if (!/^(packages|apps)\/[^/]+\/src\/.+\.ts$/.test(rel) || rel.endsWith('.test.ts')) {
        throw new UsageError(`${file}: not a source file of a package (packages/*/src/**/*.ts, not a test)`);
      }
      return rel;
    });
    // Named after the package and files, so runs over different files can go side by side.
    const pkg = files[0].split('/')[1];
    const name = `${pkg}-${files.map((f) => basename(f, '.ts')).join('+')}`.slice(0, 80);
    return { ...options, runs: [{ name, mutate: files, incremental: false }] };
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
    mutate: [`${dir}/src/**/*.ts`, `!${dir}/src/**/*.test.ts`, `!${dir}/src/test-util.ts`],
    incremental: true,
  }));
  return { ...options, runs };
}

/** Runs Stryker with its output in a log file; progress lines are echoed. */
function stryker(run, force, config) {
  const reports = join(root, 'reports', 'mutation');
  mkdirSync(reports, { recursive: true });
  const logPath = join(reports, `${run.name}.log`);
  const log = createWriteStream(logPath);
  const args = ['exec', 'stryker', 'run', ...(config ? [config] : [])];
  if (run.incremental) {
    mkdirSync(join(root, 'mutation'), { recursive: true });
    args.push('--incremental', '--incrementalFile', `mutation/${run.name}.json`);
    if (force) args.push('--force');
  }
  return new Promise((done) => {
    const child = spawn('pnpm', args, {
      cwd: root,
      env: { ...process.env, PFMSIM_MUTATE: run.mutate.join(','), PFMSIM_MUTATION_NAME: run.name },
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
  return Object.entries(report.files).map(([file, { mutants }]) => {
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
    const header = readFileSync(new URL(import.meta.url), 'utf8')
      .split('\n')
      .slice(1, 12);
    process.stdout.write(`${header.map((line) => line.replace(/^\/\/ ?/, '')).join('\n')}\n`);
    return;
  }
  const rows = [];
  for (const run of todo.runs) {
    const started = performance.now();
    const result = await stryker(run, todo.force, todo.config);
    const reportPath = join(root, 'reports', 'mutation', `${run.name}.json`);
    if (result.code !== 0 || !existsSync(reportPath)) {
      fail(
        `Stryker failed on ${run.name} (exit ${result.code}): ${result.error ?? strykerError(result.logPath)}; full log: ${relative(root, result.logPath)}`,
        1,
      );
    }
    const minutes = ((performance.now() - started) / 60000).toFixed(1);
    process.stdout.write(`${run.name}: done in ${minutes} min; report reports/mutation/${run.name}.html\n`);
    rows.push(...scores(reportPath));
  }
  printTable(rows, todo.survivors);
  const below = rows.filter((r) => r.score < threshold(r.file));
  if (below.length > 0) {
    fail(`${below.length} file(s) below their threshold: ${below.map((r) => r.file).join(', ')}`, 1);
  }
}

function printTable(rows, withSurvivors) {
  const out = [];
  const width = Math.max(4, ...rows.map((r) => r.file.length));
  out.push(`${'file'.padEnd(width)}  mutants  score  survived  no cov  ignored  bar  `);
  let all = { mutants: 0, detected: 0, survived: 0, noCoverage: 0, ignored: 0 };
  for (const r of rows.filter((x) => x.mutants > 0)) {
    const bar = threshold(r.file);
    const mark = r.score >= bar ? 'ok' : 'BELOW';
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

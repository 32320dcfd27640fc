/** Finding scenario files and running many of them. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ScenarioFileError } from './limits.js';
import { type LoadedScenario, loadScenarioFile, ScenarioError } from './load.js';
import { ScenarioPlugins, unloadedScenarioPlugin } from './plugins.js';
import { errorResult, type RunOptions, runScenario, type ScenarioResult } from './run.js';

export class MissingPathError extends Error {
  override readonly name = 'MissingPathError';
}

/** Scenario files under `paths` (files as given; directories searched for *.yaml / *.yml, sorted). */
export function findScenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    // Stryker disable next-line MethodExpression: libuv's scandir already sorts the names on Linux (the sort keeps the order elsewhere)
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      // a dangling link is listed, and fails to load like any unreadable file
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(entry)) out.push(p);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new MissingPathError(`no such file or directory: ${p}`);
    if (statSync(p).isDirectory()) walk(p);
    else out.push(p);
  }
  return [...new Set(out)];
}

export interface SuiteOptions extends RunOptions {
  /** Only scenarios whose name or file contains this text (case-insensitive). */
  filter?: string | undefined;
  /** Called as each scenario finishes (reporters stream). */
  onScenario?: (r: ScenarioResult) => void;
  /** Also returns the loaded scenarios (for --update). */
  onLoaded?: (sc: LoadedScenario, r: ScenarioResult) => void;
}

export interface SuiteResult {
  readonly scenarios: readonly ScenarioResult[];
  readonly passed: number;
  readonly failed: number;
  readonly ms: number;
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

interface Pass {
  readonly files: string[];
  /** The scenario of `file` when it loads and passes the filter; a load failure is recorded. */
  load(file: string): LoadedScenario | null;
  /** Runs it, or records `error` (its plugins could not be loaded) in its place. */
  run(sc: LoadedScenario, error: ScenarioError | null): void;
  result(): SuiteResult;
}

function suitePass(paths: readonly string[], opts: SuiteOptions): Pass {
  const t0 = performance.now();
  const filter = opts.filter?.toLowerCase();
  const scenarios: ScenarioResult[] = [];
  const record = (r: ScenarioResult) => {
    scenarios.push(r);
    opts.onScenario?.(r);
  };
  return {
    files: findScenarioFiles(paths),
    load(file) {
      const shown = displayPath(file);
      let sc: LoadedScenario;
      try {
        sc = loadScenarioFile(file, shown);
      } catch (e) {
        if (filter && !shown.toLowerCase().includes(filter)) return null;
        const named = e instanceof ScenarioError || e instanceof ScenarioFileError;
        const message = named ? e.message : `${shown}: ${(e as Error).message}`;
        record({
          file: shown,
          scenario: shown,
          tests: [{ file: shown, scenario: shown, strategy: '-', passed: false, failures: [message], ms: 0 }],
        });
        return null;
      }
      if (filter && !sc.data.name.toLowerCase().includes(filter) && !shown.toLowerCase().includes(filter))
        return null;
      return sc;
    },
    run(sc, error) {
      if (error !== null) {
        record(errorResult(sc, error));
        return;
      }
      const r = runScenario(sc, opts);
      record(r);
      opts.onLoaded?.(sc, r);
    },
    result() {
      const tests = scenarios.flatMap((s) => s.tests);
      const passed = tests.filter((t) => t.passed).length;
      return { scenarios, passed, failed: tests.length - passed, ms: performance.now() - t0 };
    },
  };
}

/**
 * Loads and runs every scenario file under `paths`. Throws MissingPathError for a missing path.
 * It cannot load plugins: a scenario whose `plugins:` are not loaded already fails
 * ({@link runSuiteAsync} loads them).
 */
export function runSuite(paths: readonly string[], opts: SuiteOptions = {}): SuiteResult {
  const pass = suitePass(paths, opts);
  for (const file of pass.files) {
    const sc = pass.load(file);
    if (sc) pass.run(sc, unloadedScenarioPlugin(sc, file));
  }
  return pass.result();
}

/**
 * {@link runSuite}, loading each scenario's `plugins:` before it runs and unloading them after
 * (the plugins loaded when it starts stay loaded).
 */
export async function runSuiteAsync(paths: readonly string[], opts: SuiteOptions = {}): Promise<SuiteResult> {
  const pass = suitePass(paths, opts);
  const plugins = new ScenarioPlugins();
  try {
    for (const file of pass.files) {
      const sc = pass.load(file);
      if (sc) pass.run(sc, await plugins.enter(sc, file));
    }
  } finally {
    await plugins.restore();
  }
  return pass.result();
}

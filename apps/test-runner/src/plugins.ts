/**
 * Plugins for pfmsim-test: `--plugin` on every command and the `plugins` of
 * `pfmsim.config.json` (loaded once, before the command), and a scenario's own `plugins:`
 * (loaded before that scenario runs, unloaded after it). Loading is lab's `loadPlugins`, so a
 * plugin behaves here as it does for `pfmsim`.
 */
import { dirname, resolve } from 'node:path';
import {
  activePlugins,
  isPluginPath,
  type LoadedPlugin,
  loadPlugins,
  PluginError,
  unloadPlugins,
} from '@pfmsim/lab';
import { errorAt, type LoadedScenario, type ScenarioError } from './load.js';

/** What a scenario's `plugins:` entry names: a module file, or a package as seen from `dir`. */
function identity(spec: string, dir: string): string {
  return isPluginPath(spec) ? resolve(dir, spec) : `package ${spec}`;
}

function loadedIdentities(plugins: readonly LoadedPlugin[]): Set<string> {
  return new Set(plugins.flatMap((p) => [p.file, `package ${p.spec}`]));
}

/** The entries of a scenario's `plugins:` not loaded already (same file = same plugin), with their index. */
function missing(sc: LoadedScenario, file: string, loaded: Set<string>): [number, string][] {
  const dir = dirname(resolve(file));
  return (sc.data.plugins ?? [])
    .map((spec, i): [number, string] => [i, spec])
    .filter(([, spec]) => !loaded.has(identity(spec, dir)));
}

/**
 * For the synchronous runner, which cannot load modules: an error for the first entry of
 * `plugins:` that is not loaded already, or null.
 */
export function unloadedScenarioPlugin(sc: LoadedScenario, file: string): ScenarioError | null {
  const [first] = missing(sc, file, loadedIdentities(activePlugins()));
  if (first === undefined) return null;
  return errorAt(
    sc,
    ['plugins', first[0]],
    `plugin ${first[1]} is not loaded, and runSuite cannot load one (loading is asynchronous): use runSuiteAsync, or the pfmsim-test command`,
  );
}

/**
 * The plugins of the scenarios of one suite run. The plugins loaded when it starts (`--plugin`,
 * the config file) stay; a scenario's own are loaded on top before it runs and dropped before
 * a scenario that names other ones (kept for the next scenario naming the same ones), and
 * when the suite ends.
 */
export class ScenarioPlugins {
  private readonly base: readonly LoadedPlugin[] = activePlugins();
  /** The scenario plugins loaded on top of the base, as identities; null when none are. */
  private current: string | null = null;

  /** Loads what `sc` names (relative to `file`); a plugin that fails is the scenario's error. */
  async enter(sc: LoadedScenario, file: string): Promise<ScenarioError | null> {
    const dir = dirname(resolve(file));
    const wanted = missing(sc, file, loadedIdentities(this.base));
    const key = JSON.stringify(wanted.map(([, spec]) => identity(spec, dir)));
    if (key === this.current) return null;
    if (this.current !== null) await this.restore();
    if (wanted.length === 0) return null;
    // set first: a failing plugin may leave the ones before it registered
    this.current = key;
    for (const [i, spec] of wanted) {
      try {
        await loadPlugins([spec], { cwd: dir });
      } catch (e) {
        await this.restore();
        if (e instanceof PluginError) return errorAt(sc, ['plugins', i], e.message);
        throw e;
      }
    }
    return null;
  }

  /** Back to the plugins loaded when the suite started. */
  async restore(): Promise<void> {
    if (this.current === null) return;
    this.current = null;
    unloadPlugins();
    // by file: a package is its entry module, wherever it was resolved from
    await loadPlugins(
      this.base.map((p) => p.file),
      { cwd: '/' },
    );
  }
}

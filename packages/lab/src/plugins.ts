/**
 * Plugins: ES modules that bring argument-buffer strategies and PMU models from outside the
 * packages. A plugin's default export is a plain object (it need import nothing):
 *
 *     export default {
 *       specificationVersion: 1,              // optional; 1 is the only one
 *       name: 'percpu',
 *       strategies: { percpu: (options) => strategy },   // ArgBufferStrategy factories
 *       pmuModels: ['./models'],              // model files or directories, relative to the module
 *     };
 *
 * Loading registers every strategy and model, process-wide, and refuses a clash with a
 * built-in or with another plugin by throwing {@link PluginError} (one line, naming both).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type ArgBufferStrategy,
  clearRegisteredStrategies,
  registerStrategy,
  StrategyRegistrationError,
} from '@pfmsim/buffer-strategies';
import {
  DuplicateModelError,
  invalidModelFiles,
  LibpfmTypeClashError,
  listModelFiles,
  listModelIds,
  registerModelDirectory,
  registerModelFile,
  resetModelDirectories,
} from '@pfmsim/pmu-models';

/** The plugin specification this pfmsim reads. */
export const PLUGIN_SPECIFICATION_VERSION = 1;

/** What a plugin module exports by default. */
export interface PfmsimPlugin {
  readonly specificationVersion?: typeof PLUGIN_SPECIFICATION_VERSION;
  readonly name: string;
  readonly strategies?: Readonly<Record<string, (options: object) => ArgBufferStrategy>>;
  /** Names among `strategies` that are wrong on purpose (left out of default runs). */
  readonly brokenStrategies?: readonly string[];
  /** PMU model files or directories of them, relative to the plugin module. */
  readonly pmuModels?: readonly string[];
}

/** Typed identity for plugin authors who want their editor to check the object. */
export function definePlugin<P extends PfmsimPlugin>(plugin: P): P {
  return plugin;
}

/** A plugin that cannot be loaded or clashes with something: one line, exit 2 in the tools. */
export class PluginError extends Error {
  override readonly name = 'PluginError';
  readonly code = 'PFMSIM_PLUGIN';
}

export interface LoadedPlugin {
  readonly name: string;
  /** How it was named (`--plugin` value or config entry). */
  readonly spec: string;
  /** The module file. */
  readonly file: string;
  readonly strategies: readonly string[];
  readonly models: readonly string[];
}

const active: LoadedPlugin[] = [];

const KEYS = ['specificationVersion', 'name', 'strategies', 'brokenStrategies', 'pmuModels'];

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** A plugin spec naming a module file (relative, absolute, or ending .js/.mjs/.cjs/.ts), not a package. */
export function isPluginPath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || /\.(m?js|cjs|ts)$/.test(spec);
}

const NEEDS_VALUE = '--plugin needs a plugin path or package name, e.g. --plugin ./my-plugin.mjs';

/**
 * `--plugin X` and `--plugin=X`, anywhere before `--` (what both tools accept on every
 * command): the values, and the arguments without them. A `--plugin` without a value is a
 * {@link PluginError}.
 */
export function extractPluginArgs(argv: readonly string[]): { plugins: string[]; rest: string[] } {
  const plugins: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('--plugin=')) plugins.push(a.slice('--plugin='.length));
    else if (a === '--plugin') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw new PluginError(NEEDS_VALUE);
      plugins.push(value);
      i++;
    } else rest.push(a);
  }
  if (plugins.includes('')) throw new PluginError(NEEDS_VALUE);
  return { plugins, rest };
}

/** The plugins of `pfmsim.config.json` (nearest upward from `cwd`), then those given. */
export function commandPluginSpecs(plugins: readonly string[], cwd: string): string[] {
  const config = findConfigFile(cwd);
  return [...(config === undefined ? [] : configPlugins(config)), ...plugins];
}

/** The entry file of an installed package, searched upward from `cwd` as Node does. */
function packageEntry(spec: string, cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', spec);
    const pkgJson = join(pkgDir, 'package.json');
    if (existsSync(pkgJson)) {
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as {
        exports?: unknown;
        main?: string;
      };
      const root = (pkg.exports as Record<string, unknown> | undefined)?.['.'] ?? pkg.exports;
      const entry =
        typeof root === 'string'
          ? root
          : typeof root === 'object' && root !== null
            ? ((root as Record<string, unknown>).import ?? (root as Record<string, unknown>).default)
            : undefined;
      return join(pkgDir, typeof entry === 'string' ? entry : (pkg.main ?? 'index.js'));
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function moduleFile(spec: string, cwd: string): string {
  if (isPluginPath(spec)) {
    const file = resolve(cwd, spec);
    if (!existsSync(file)) {
      throw new PluginError(
        `plugin ${spec}: no such file (${file}); give a path relative to the working directory or an installed package name`,
      );
    }
    return file;
  }
  const file = packageEntry(spec, cwd);
  if (file === undefined || !existsSync(file)) {
    throw new PluginError(
      `plugin ${spec}: no installed package of that name from ${resolve(cwd)} (install it, or give a path such as ./${spec}.mjs)`,
    );
  }
  return file;
}

function checkShape(value: unknown, label: string): PfmsimPlugin {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PluginError(
      `plugin ${label} has no default export object; write \`export default { name, strategies, pmuModels }\``,
    );
  }
  const p = value as Record<string, unknown>;
  const unknown = Object.keys(p).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) {
    throw new PluginError(
      `plugin ${label}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (accepted: ${KEYS.join(', ')})`,
    );
  }
  if (p.specificationVersion !== undefined && p.specificationVersion !== PLUGIN_SPECIFICATION_VERSION) {
    throw new PluginError(
      `plugin ${label} declares specificationVersion ${JSON.stringify(p.specificationVersion)}; this pfmsim reads specification ${PLUGIN_SPECIFICATION_VERSION} (upgrade pfmsim, or use a release of the plugin for specification ${PLUGIN_SPECIFICATION_VERSION})`,
    );
  }
  if (typeof p.name !== 'string' || p.name === '') {
    throw new PluginError(`plugin ${label} has no name: give its default export a \`name\` string`);
  }
  const s = p.strategies;
  if (s !== undefined && (s === null || typeof s !== 'object' || Array.isArray(s))) {
    throw new PluginError(`plugin ${p.name} (${label}): \`strategies\` must be an object of name: factory`);
  }
  for (const key of ['brokenStrategies', 'pmuModels'] as const) {
    const list = p[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))) {
      throw new PluginError(`plugin ${p.name} (${label}): \`${key}\` must be a list of strings`);
    }
  }
  return value as PfmsimPlugin;
}

function registerModels(plugin: PfmsimPlugin, label: string, file: string): string[] {
  const before = new Set(listModelIds());
  const invalidBefore = new Set(invalidModelFiles().map((e) => e.file));
  const base = dirname(file);
  for (const entry of plugin.pmuModels ?? []) {
    const path = resolve(base, entry);
    if (!existsSync(path)) {
      throw new PluginError(
        `plugin ${plugin.name} (${label}): pmuModels entry ${entry}: no such file or directory (${path})`,
      );
    }
    if (statSync(path).isDirectory()) {
      if (listModelFiles(path).length === 0) {
        throw new PluginError(
          `plugin ${plugin.name} (${label}): pmuModels entry ${entry} holds no *.json model file`,
        );
      }
      registerModelDirectory(path);
    } else registerModelFile(path);
  }
  let ids: string[];
  try {
    ids = listModelIds();
  } catch (error) {
    // The registry refuses one id twice, and one libpfm type for CPUs it cannot tell apart.
    if (error instanceof DuplicateModelError || error instanceof LibpfmTypeClashError)
      throw new PluginError(`plugin ${plugin.name} (${label}): ${error.message}`);
    throw error;
  }
  // The registry skips invalid files; a plugin's own are refused.
  const bad = invalidModelFiles().find((e) => !invalidBefore.has(e.file));
  if (bad !== undefined) {
    throw new PluginError(
      `plugin ${plugin.name} (${label}): ${firstLine(bad)} ${bad.errors.length} error(s); \`pfmsim pmu validate FILE\` lists them`,
    );
  }
  return ids.filter((id) => !before.has(id));
}

/**
 * Load plugins by path (relative to `cwd`) or installed package name, in order, and register
 * what they bring. Throws {@link PluginError} at the first problem, before anything runs.
 */
export async function loadPlugins(specs: readonly string[], opts: { cwd: string }): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  for (const spec of specs) {
    const file = moduleFile(spec, opts.cwd);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (error) {
      throw new PluginError(`plugin ${spec}: cannot load ${file}: ${firstLine(error)}`);
    }
    const plugin = checkShape(mod.default, spec);
    const broken = new Set(plugin.brokenStrategies ?? []);
    const strategies = Object.entries(plugin.strategies ?? {});
    for (const name of broken) {
      if (!strategies.some(([n]) => n === name)) {
        throw new PluginError(
          `plugin ${plugin.name} (${spec}): brokenStrategies names "${name}", which it does not define`,
        );
      }
    }
    for (const [name, create] of strategies) {
      try {
        registerStrategy({
          name,
          create,
          source: `plugin ${plugin.name} (${spec})`,
          broken: broken.has(name),
        });
      } catch (error) {
        if (error instanceof StrategyRegistrationError) throw new PluginError(error.message);
        throw error;
      }
    }
    const models = registerModels(plugin, spec, file);
    loaded.push({ name: plugin.name, spec, file, strategies: strategies.map(([n]) => n), models });
  }
  active.push(...loaded);
  return loaded;
}

/** The plugins loaded in this process (what a worker thread must load again), in order. */
export function activePlugins(): readonly LoadedPlugin[] {
  return [...active];
}

/** Forget every plugin's strategies and models (registered model directories included). */
export function unloadPlugins(): void {
  active.length = 0;
  clearRegisteredStrategies();
  resetModelDirectories();
}

/** The config file `pfmsim.config.json` nearest `cwd` (searched upward), or undefined. */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, 'pfmsim.config.json');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The plugins a config file names (`{ "plugins": [...] }`): paths are relative to the file,
 * package names are resolved from the working directory; throws {@link PluginError} for unreadable JSON or a bad `plugins` list.
 */
export function configPlugins(file: string): string[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PluginError(`${file}: ${firstLine(error)}; fix the JSON or delete the file`);
  }
  const plugins = (data as { plugins?: unknown } | null)?.plugins;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PluginError(`${file}: expected an object such as { "plugins": ["./my-plugin.mjs"] }`);
  }
  if (plugins === undefined) return [];
  if (!Array.isArray(plugins) || plugins.some((p) => typeof p !== 'string')) {
    throw new PluginError(`${file}: "plugins" must be a list of paths or package names`);
  }
  // Paths in the config are relative to the config file, as users expect.
  return plugins.map((p: string) => (isPluginPath(p) && !isAbsolute(p) ? resolve(dirname(file), p) : p));
}

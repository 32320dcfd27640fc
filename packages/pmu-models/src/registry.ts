/**
 * The model registry. Models are discovered at run time by scanning directories for
 * `*.json` files: the package's own `models/` (resolved from this module's URL, so the same
 * code works from `src/` and from `dist/`), then every directory in `PFMSIM_EXTRA_MODELS`
 * (separated by the platform path delimiter), then every directory passed to
 * {@link registerModelDirectory}, then every file passed to {@link registerModelFile}. Adding
 * a model is therefore adding a file. Results are cached until {@link refreshModels} or a
 * registration. A file that fails to parse or validate is skipped and listed by
 * {@link invalidModelFiles}; two files declaring one id are an error, and so are two models
 * claiming one libpfm PMU type for CPUs they do not tell apart (see {@link LibpfmTypeClashError}).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpusOverlap, describeCpu, type PmuCpu, type PmuModel } from './model.js';
import type { ValidationError } from './rules.js';
import { formatValidationError, validateModel } from './validate.js';

/** The `models/` directory shipped with this package. */
export const PACKAGE_MODELS_DIR: string = fileURLToPath(new URL('../models/', import.meta.url));

/** Environment variable naming extra model directories. */
export const EXTRA_MODELS_ENV = 'PFMSIM_EXTRA_MODELS';

/** `getModel` was asked for an id no model file declares. */
export class UnknownModelError extends Error {
  override readonly name = 'UnknownModelError';
  readonly code = 'PFMSIM_UNKNOWN_MODEL';
  constructor(
    readonly id: string,
    readonly accepted: readonly string[],
    /** Model files skipped as invalid: the model may be in one of them. */
    readonly skipped: readonly string[] = [],
  ) {
    const hint =
      skipped.length === 0
        ? ''
        : `; skipped as invalid: ${skipped.join(', ')} (\`pfmsim pmu validate FILE\` lists the errors)`;
    super(`unknown PMU model "${id}"; accepted ids: ${accepted.join(', ')}${hint}`);
  }
}

/** A model file failed to parse or validate. */
export class InvalidModelError extends Error {
  override readonly name = 'InvalidModelError';
  readonly code = 'PFMSIM_INVALID_MODEL';
  constructor(
    readonly file: string,
    readonly errors: readonly ValidationError[],
  ) {
    const shown = errors.slice(0, 10).map((e) => `  ${formatValidationError(e)}`);
    const more = errors.length > 10 ? [`  ... and ${errors.length - 10} more`] : [];
    super(`invalid PMU model file ${file}:\n${[...shown, ...more].join('\n')}`);
  }
}

/** Two model files declare the same id. */
export class DuplicateModelError extends Error {
  override readonly name = 'DuplicateModelError';
  readonly code = 'PFMSIM_DUPLICATE_MODEL';
  constructor(
    readonly id: string,
    readonly files: readonly [string, string],
  ) {
    super(`PMU model id "${id}" is declared by both ${files[0]} and ${files[1]}`);
  }
}

/**
 * Two models claim the same libpfm PMU type for CPUs libpfm could not tell apart (no `cpu`,
 * or the same family with overlapping models): libpfm would pick one of them silently.
 */
export class LibpfmTypeClashError extends Error {
  override readonly name = 'LibpfmTypeClashError';
  readonly code = 'PFMSIM_LIBPFM_TYPE_CLASH';
  constructor(
    readonly type: number,
    readonly ids: readonly [string, string],
    readonly files: readonly [string, string],
    cpus: readonly [PmuCpu | undefined, PmuCpu | undefined],
  ) {
    super(
      `PMU model "${ids[1]}" (${files[1]}, ${describeCpu(cpus[1])}) claims libpfm PMU type ${type}, as "${ids[0]}" (${files[0]}, ${describeCpu(cpus[0])}) does; libpfm could not tell them apart: give each a \`cpu\` with a distinct family or models`,
    );
  }
}

export interface ModelSummary {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly description: string;
  readonly archs: readonly string[];
  /** Absolute path of the file the model was loaded from. */
  readonly file: string;
  readonly pmcCount: number;
  readonly pmdCount: number;
  readonly counterCount: number;
  readonly counterWidth: number;
  readonly hwCounterWidth: number;
  readonly eventCount: number;
}

interface LoadedModel {
  readonly model: PmuModel;
  readonly file: string;
}

const extraDirectories: string[] = [];
const extraFiles: string[] = [];
let cache: Map<string, LoadedModel> | undefined;
let invalid: InvalidModelError[] = [];

/** Read, parse and validate one model file; throws {@link InvalidModelError}. */
export function loadModelFile(path: string): PmuModel {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidModelError(path, [{ path: '$', rule: 'json', message: (error as Error).message }]);
  }
  const result = validateModel(data);
  if (!result.ok) throw new InvalidModelError(path, result.errors);
  return result.model;
}

/** Every `*.json` file under `dir`, recursively, in a stable order. */
export function listModelFiles(dir: string = PACKAGE_MODELS_DIR): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...listModelFiles(path));
    else if (entry.endsWith('.json')) files.push(path);
  }
  return files;
}

/** The directories scanned, in order. */
export function modelDirectories(): string[] {
  const fromEnv = (process.env[EXTRA_MODELS_ENV] ?? '')
    .split(delimiter)
    .filter((d) => d !== '')
    .map((d) => resolve(d));
  return [...new Set([resolve(PACKAGE_MODELS_DIR), ...fromEnv, ...extraDirectories])];
}

/** Add a directory of model files (searched recursively); clears the cache. */
export function registerModelDirectory(dir: string): void {
  const abs = resolve(dir);
  if (!extraDirectories.includes(abs)) extraDirectories.push(abs);
  cache = undefined;
}

/** Add one model file (a plugin's), loaded after every directory; clears the cache. */
export function registerModelFile(file: string): void {
  const abs = resolve(file);
  if (!extraFiles.includes(abs)) extraFiles.push(abs);
  cache = undefined;
}

/** Forget registered directories and files (test helper); clears the cache. */
export function resetModelDirectories(): void {
  extraDirectories.length = 0;
  extraFiles.length = 0;
  cache = undefined;
}

/** Drop the cache so the next lookup rescans the directories. */
export function refreshModels(): void {
  cache = undefined;
}

function load(): Map<string, LoadedModel> {
  if (cache !== undefined) return cache;
  const byId = new Map<string, LoadedModel>();
  const files = modelDirectories().flatMap((dir) => listModelFiles(dir));
  const problems: InvalidModelError[] = [];
  for (const file of [...new Set([...files, ...extraFiles])]) {
    let model: PmuModel;
    try {
      model = loadModelFile(file);
    } catch (error) {
      // One bad file (a contributor's draft, a plugin's) must not take the others down.
      if (!(error instanceof InvalidModelError)) throw error;
      problems.push(error);
      continue;
    }
    const previous = byId.get(model.id);
    if (previous !== undefined) throw new DuplicateModelError(model.id, [previous.file, file]);
    for (const other of byId.values()) {
      const o = other.model;
      if (o.libpfm.type === model.libpfm.type && cpusOverlap(o.cpu, model.cpu)) {
        throw new LibpfmTypeClashError(
          model.libpfm.type,
          [o.id, model.id],
          [other.file, file],
          [o.cpu, model.cpu],
        );
      }
    }
    byId.set(model.id, { model, file });
  }
  invalid = problems;
  cache = new Map([...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return cache;
}

/** The model files the last scan skipped because they failed to parse or validate, in scan order. */
export function invalidModelFiles(): readonly InvalidModelError[] {
  load();
  return [...invalid];
}

function unknown(id: string, models: Map<string, LoadedModel>): UnknownModelError {
  return new UnknownModelError(
    id,
    [...models.keys()],
    invalid.map((e) => e.file),
  );
}

/** Ids of every available model, sorted. */
export function listModelIds(): string[] {
  return [...load().keys()];
}

/** A summary of every available model, sorted by id. */
export function listModels(): ModelSummary[] {
  return [...load().values()].map(({ model, file }) => ({
    id: model.id,
    name: model.name,
    vendor: model.vendor,
    description: model.description,
    archs: model.archs,
    file,
    pmcCount: model.pmcs.length,
    pmdCount: model.pmds.length,
    counterCount: model.counterPmds.length,
    counterWidth: model.counterWidth,
    hwCounterWidth: model.hwCounterWidth,
    eventCount: model.events.length,
  }));
}

/** The model with this id; throws {@link UnknownModelError} naming the accepted ids. */
export function getModel(id: string): PmuModel {
  const models = load();
  const found = models.get(id);
  if (found === undefined) throw unknown(id, models);
  return found.model;
}

/** The file a model was loaded from. */
export function modelFile(id: string): string {
  const models = load();
  const found = models.get(id);
  if (found === undefined) throw unknown(id, models);
  return found.file;
}

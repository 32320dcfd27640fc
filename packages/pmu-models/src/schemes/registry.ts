/**
 * The scheme registry: every `encoding.scheme` a model may name. The built-in schemes are
 * always present; {@link registerScheme} adds one (a plugin's). Names are never replaced,
 * so a model validated against a scheme keeps meaning the same thing for the process's life.
 */
import type { PmuModel } from '../model.js';
import { ia64PmcScheme } from './ia64-pmc.js';
import { mips64CtrlScheme } from './mips64-ctrl.js';
import { p4EscrCccrScheme } from './p4-escr-cccr.js';
import { power5MmcrScheme } from './power5-mmcr.js';
import { type PmuScheme, SCHEME_API_VERSION } from './scheme.js';
import { x86EvtSelScheme } from './x86-evtsel.js';

/** The schemes pmu-models ships, in the order listings show them. */
export const BUILTIN_SCHEMES: readonly PmuScheme[] = [
  x86EvtSelScheme,
  p4EscrCccrScheme,
  ia64PmcScheme,
  power5MmcrScheme,
  mips64CtrlScheme,
];

const schemes = new Map<string, PmuScheme>(BUILTIN_SCHEMES.map((s) => [s.name, s]));

export class SchemeRegistrationError extends Error {
  override name = 'SchemeRegistrationError';
}

const SCHEME_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Add a scheme. Throws {@link SchemeRegistrationError} if it was written against another
 * interface version, its name is not lower-case words joined by `-`, or the name is taken
 * by a different scheme (registering the same object twice is a no-op).
 */
export function registerScheme(scheme: PmuScheme): void {
  if (scheme.apiVersion !== SCHEME_API_VERSION) {
    throw new SchemeRegistrationError(
      `scheme ${String(scheme.name)} implements scheme interface version ${String(scheme.apiVersion)}; this pmu-models supports version ${SCHEME_API_VERSION}`,
    );
  }
  if (typeof scheme.name !== 'string' || !SCHEME_NAME.test(scheme.name)) {
    throw new SchemeRegistrationError(
      `scheme name ${JSON.stringify(scheme.name)} must be lower-case words joined by "-", e.g. "amd64-fam10h"`,
    );
  }
  const existing = schemes.get(scheme.name);
  if (existing === scheme) return;
  if (existing !== undefined) {
    throw new SchemeRegistrationError(`scheme ${scheme.name} is already registered by another module`);
  }
  schemes.set(scheme.name, scheme);
}

/** The scheme registered under `name`, or undefined. */
export function findScheme(name: string): PmuScheme | undefined {
  return schemes.get(name);
}

/** Names of every registered scheme, built-ins first. */
export function listSchemes(): string[] {
  return [...schemes.keys()];
}

/** The scheme of a model (validated models always have a registered one). */
export function schemeOf(model: PmuModel): PmuScheme {
  const scheme = schemes.get(model.encoding.scheme);
  if (scheme === undefined) {
    throw new Error(
      `${model.id}: encoding scheme ${model.encoding.scheme} is not registered (known: ${listSchemes().join(', ')})`,
    );
  }
  return scheme;
}

/**
 * The registry of libpfm's side of the PMU encoding schemes (see `scheme-types.ts`): the
 * built-ins are always present, a plugin adds its own; names are never replaced.
 */
import type { PmuModel } from '@pfmsim/pmu-models';
import { PFMLIB_ERR_NOTSUPP, PfmError } from './errors.js';
import { ia64Scheme } from './pmu-ia64.js';
import { mips64Scheme } from './pmu-mips64.js';
import { p4Scheme } from './pmu-p4.js';
import { power5Scheme } from './pmu-power5.js';
import { x86Scheme } from './pmu-x86.js';
import { LIBPFM_SCHEME_API_VERSION, type LibpfmScheme } from './scheme-types.js';

export { LIBPFM_SCHEME_API_VERSION, type LibpfmScheme } from './scheme-types.js';

export class LibpfmSchemeRegistrationError extends Error {
  override name = 'LibpfmSchemeRegistrationError';
}

/** The schemes libpfm ships, one per pmu-models built-in. */
export const BUILTIN_LIBPFM_SCHEMES: readonly LibpfmScheme[] = [
  x86Scheme,
  p4Scheme,
  ia64Scheme,
  power5Scheme,
  mips64Scheme,
];

const schemes = new Map<string, LibpfmScheme>(BUILTIN_LIBPFM_SCHEMES.map((s) => [s.scheme, s]));

/**
 * Add libpfm support for a scheme. Throws {@link LibpfmSchemeRegistrationError} for another
 * interface version or a name taken by a different object (the same object twice is a no-op).
 */
export function registerLibpfmScheme(scheme: LibpfmScheme): void {
  if (scheme.apiVersion !== LIBPFM_SCHEME_API_VERSION) {
    throw new LibpfmSchemeRegistrationError(
      `libpfm scheme ${String(scheme.scheme)} implements interface version ${String(scheme.apiVersion)}; this libpfm supports version ${LIBPFM_SCHEME_API_VERSION}`,
    );
  }
  const existing = schemes.get(scheme.scheme);
  if (existing === scheme) return;
  if (existing !== undefined) {
    throw new LibpfmSchemeRegistrationError(
      `libpfm scheme ${scheme.scheme} is already registered by another module`,
    );
  }
  schemes.set(scheme.scheme, scheme);
}

/** libpfm's support for a scheme name, or undefined. */
export function findLibpfmScheme(name: string): LibpfmScheme | undefined {
  return schemes.get(name);
}

/** libpfm's support for the model's scheme; NOTSUPP when none is registered. */
export function libpfmSchemeOf(model: PmuModel): LibpfmScheme {
  const scheme = schemes.get(model.encoding.scheme);
  if (scheme === undefined) {
    throw new PfmError(
      PFMLIB_ERR_NOTSUPP,
      `${model.id}: no dispatcher for encoding ${String(model.encoding.scheme)}`,
    );
  }
  return scheme;
}

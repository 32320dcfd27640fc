import { expect } from 'vitest';
import type { PfmError } from './errors.js';

/** The PfmError that `fn` throws; fails the test when it returns. */
export function pfmError(fn: () => unknown): PfmError {
  try {
    fn();
  } catch (e) {
    return e as PfmError;
  }
  throw new Error('expected a PfmError');
}

/** `fn` fails with this libpfm code, a message containing `text` and, when given, these events. */
export function expectPfmError(
  fn: () => unknown,
  code: number,
  text: string,
  events?: readonly string[],
): void {
  const e = pfmError(fn);
  expect(e.code).toBe(code);
  expect(e.message).toContain(text);
  if (events !== undefined) expect(e.events).toEqual(events);
}

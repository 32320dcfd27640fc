/** Bad input to the library itself (not a simulated user's bad syscall argument). */
export class KernelSimError extends Error {
  override readonly name: string = 'KernelSimError';
}

/** A value outside the accepted set: names the value, what it was for, and what is accepted. */
export class InvalidArgumentError extends KernelSimError {
  override readonly name = 'InvalidArgumentError';
  constructor(
    readonly what: string,
    readonly value: unknown,
    readonly accepted: string,
  ) {
    super(`invalid ${what}: ${formatValue(value)} (accepted: ${accepted})`);
  }
}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

export function checkInteger(what: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(what, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

export function checkOneOf<T extends string>(what: string, value: unknown, accepted: readonly T[]): T {
  if (typeof value !== 'string' || !(accepted as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(what, value, accepted.join(', '));
  }
  return value as T;
}

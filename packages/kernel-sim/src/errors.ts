/** Bad input to the library itself (not a simulated user's bad syscall argument). */
export class KernelSimError extends Error {
  override readonly name: string = 'KernelSimError';
}

/** A disposed kernel was used again: its memory may belong to another kernel by now. */
export class DisposedKernelError extends KernelSimError {
  override readonly name = 'DisposedKernelError';
  constructor(readonly what: string) {
    super(`${what} used after kernel.dispose(): build a new kernel (a disposed one's arena serves the next)`);
  }
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
  const ok = Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
  if (!ok) throw new InvalidArgumentError(what, value, `an integer from ${min} to ${max}`);
  return value as number;
}

export function checkOneOf<T extends string>(what: string, value: unknown, accepted: readonly T[]): T {
  if (!(accepted as readonly unknown[]).includes(value)) {
    throw new InvalidArgumentError(what, value, accepted.join(', '));
  }
  return value as T;
}

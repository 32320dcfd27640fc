import { closest } from '@pfmsim/lab';

/** A problem with what the user asked for: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  /** `unknown machine "p4-2007"; did you mean "p4-2006"?` */
  line(): string {
    return this.hint ? `${this.message}; ${this.hint}` : this.message;
  }
}

/** Exit codes: 0 ok, 1 a finding the user asked to fail on (or an internal error), 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/**
 * `unknown <what> "<value>"; did you mean "<closest>"?` plus the valid choices when they fit on
 * a line, otherwise the command that lists them.
 */
export function unknownChoice(
  what: string,
  value: string,
  choices: readonly string[],
  listCommand?: string,
): UsageError {
  const near = closest(value, choices);
  const parts: string[] = [];
  if (near !== undefined) parts.push(`did you mean "${near}"?`);
  if (choices.length <= 12) parts.push(`valid: ${choices.join(', ')}`);
  else if (listCommand) parts.push(`\`${listCommand}\` lists them`);
  return new UsageError(`unknown ${what} "${value}"`, parts.join(' '));
}

/** The value if it is one of `choices`, else a UsageError naming the closest. */
export function oneOf<T extends string>(
  what: string,
  value: string,
  choices: readonly T[],
  listCommand?: string,
): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw unknownChoice(what, value, choices, listCommand);
}

/** Parses a comma-separated list, each item one of `choices` ("all" = every choice). */
export function listOf<T extends string>(
  what: string,
  text: string,
  choices: readonly T[],
  listCommand?: string,
): T[] {
  if (text.trim() === 'all') return [...choices];
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0)
    throw new UsageError(`empty ${what} list`, `give one or more of ${choices.join(', ')}`);
  return [...new Set(items.map((s) => oneOf(what, s, choices, listCommand)))];
}

/** An integer option in [min, max]. */
export function intOption(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

/** Where a command writes and what it knows about its terminal; replaceable in tests. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** The terminal's width in columns when stdout is one (absent for a pipe or file). */
  readonly stdoutColumns?: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Host milliseconds (performance.now). */
  readonly now: () => number;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) until the returned function is called; absent, nothing
   * interrupts (a long command that keeps a partial result uses it).
   */
  readonly onInterrupt?: (handler: () => void) => () => void;
}

export function processIo(): Io {
  return {
    out: (text) => {
      process.stdout.write(text);
    },
    err: (text) => {
      process.stderr.write(text);
    },
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    // Stryker disable all: the real terminal's width (the in-process tests give an Io of their own)
    ...(process.stdout.isTTY === true && process.stdout.columns > 0
      ? { stdoutColumns: process.stdout.columns }
      : {}),
    // Stryker restore all
    env: process.env,
    cwd: process.cwd(),
    now: () => performance.now(),
    // Stryker disable next-line BlockStatement,StringLiteral: a real SIGINT to this process (the in-process tests give an Io of their own)
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => {
        process.off('SIGINT', handler);
      };
    },
  };
}

/** ANSI styling that turns into the identity when colour is off. */
export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (on: boolean, open: number, close: number) => (s: string) =>
  on ? `\x1b[${open}m${s}\x1b[${close}m` : s;

/**
 * Colour is on only when stdout is a terminal, NO_COLOR is unset or empty (no-color.org),
 * FORCE_COLOR is not "0" and --no-color was not given. FORCE_COLOR=1 turns it on for pipes.
 */
export function createStyle(io: Io, colorFlag: boolean | undefined): Style {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const force = io.env.FORCE_COLOR;
  const enabled =
    colorFlag !== false &&
    !noColor &&
    force !== '0' &&
    (io.stdoutIsTTY || (force !== undefined && force !== '' && force !== 'false'));
  return {
    enabled,
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    cyan: wrap(enabled, 36, 39),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
const ANSI = /\x1b\[[0-9;]*m/g;
export const visibleLength = (s: string): number => s.replace(ANSI, '').length;
export const stripAnsi = (s: string): string => s.replace(ANSI, '');

/**
 * A progress bar on stderr, drawn only on a terminal, never with --quiet, and only once the
 * work has taken more than a second (short commands never flash a bar).
 */
export class Progress {
  private readonly start: number;
  private drawn = false;
  private lastDraw = 0;

  constructor(
    private readonly io: Io,
    private readonly enabled: boolean,
    private readonly label: string,
  ) {
    this.start = io.now();
  }

  static for(io: Io, quiet: boolean | undefined, label: string): Progress {
    return new Progress(io, io.stderrIsTTY && quiet !== true && io.env.CI === undefined, label);
  }

  update(done: number, total: number, what = ''): void {
    if (!this.enabled) return;
    const now = this.io.now();
    if (now - this.start < 1000 || (now - this.lastDraw < 80 && done < total)) return;
    this.lastDraw = now;
    const width = 28;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const secs = ((now - this.start) / 1000).toFixed(1);
    const line = `${this.label} [${bar}] ${done}/${total} ${secs}s ${what}`.slice(0, 110);
    this.io.err(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.io.err('\r\x1b[2K');
    this.drawn = false;
  }
}

// Child processes, clean-up and errors for the release scripts. Every child runs in its own
// process group so that clean-up can stop it together with whatever it started (pnpm -> tsup
// -> esbuild); clean-up runs on success, on failure and on SIGINT/SIGTERM.
import { spawn } from 'node:child_process';

/** A failure the user can act on: printed as one line, exit 1. */
export class ReleaseError extends Error {
  /** @param {string} message @param {string} [detail] output shown before the line */
  constructor(message, detail = '') {
    super(message);
    this.detail = detail;
  }
}

/** A bad flag: printed as one line, exit 2. */
export class UsageError extends Error {}

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** @type {Array<() => void | Promise<void>>} */
const cleanups = [];

/** Registers a clean-up step; steps run last-registered first. */
export function onCleanup(fn) {
  cleanups.push(fn);
}

function killChildren() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  children.clear();
}

/** Stops every running child and runs the registered clean-up steps (each once). */
export async function cleanup() {
  killChildren();
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (error) {
      process.stderr.write(`clean-up: ${error.message}\n`);
    }
  }
}

/**
 * Runs a command to completion and returns its output. Rejects with a ReleaseError naming the
 * command and the end of its output when it exits non-zero (unless `allowFailure`).
 * `onFirstOutput` is called once, when the first stdout byte arrives.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, allowFailure?: boolean, label?: string,
 *   onFirstOutput?: () => void }} options
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export function run(cmd, args, options) {
  const label = options.label ?? `${cmd} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(child);
    const out = [];
    const err = [];
    let first = options.onFirstOutput;
    child.stdout.on('data', (chunk) => {
      if (first) {
        first();
        first = undefined;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', (error) => {
      children.delete(child);
      const hint =
        error.code === 'ENOENT'
          ? `${cmd} is not on PATH; run the script through pnpm: \`npx -y pnpm@12.4.2 release:verify\` (or release)`
          : error.message;
      reject(new ReleaseError(`${label}: cannot start ${cmd}: ${hint}`));
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const status = code ?? 128;
      if (status !== 0 && !options.allowFailure) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
        reject(new ReleaseError(`${label} failed (${signal ?? `exit ${status}`})`, tail));
        return;
      }
      resolve({ code: status, stdout, stderr });
    });
  });
}

/**
 * Runs `main` as a command: a ReleaseError or UsageError becomes one line on stderr (exit 1 or
 * 2), anything else a stack trace (a bug in the script); clean-up always runs, and SIGINT or
 * SIGTERM stop the work, clean up and exit 130 / 143.
 * @param {string} name the command's name, the prefix of every line it prints
 * @param {() => Promise<void>} main
 */
export async function runMain(name, main) {
  // `on`, not `once`: Verdaccio's logger loads signal-exit, which re-raises a signal (killing
  // the process before clean-up) when it finds itself the only listener left.
  let stopping = false;
  const stop = (signal, code) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${name}: interrupted (${signal}); stopping the registry and cleaning up\n`);
    cleanup().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => stop('SIGINT', 130));
  process.on('SIGTERM', () => stop('SIGTERM', 143));
  let code = 0;
  try {
    await main();
  } catch (error) {
    if (error instanceof ReleaseError) {
      if (error.detail) process.stderr.write(`${error.detail}\n`);
      process.stderr.write(`${name}: ${error.message}\n`);
      code = 1;
    } else if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      code = 2;
    } else {
      process.stderr.write(`${name}: internal error: ${error?.stack ?? error}\n`);
      code = 1;
    }
  }
  await cleanup();
  process.exit(code);
}

/** Environment for a child with every inherited npm/pnpm setting removed, then `extra` set. */
export function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_config_/i.test(key) || /^npm_(package|lifecycle)_/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

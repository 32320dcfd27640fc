import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module without types
import { cleanEnv, run } from './proc.mjs';
// @ts-expect-error: a JavaScript module without types
import { addUser, publishedVersions, registryEnv, startRegistry } from './registry.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'pfmsim-registry-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const verifyScript = new URL('./verify.mjs', import.meta.url).pathname;

/**
 * Runs release:verify as a person would and waits for it; its process group must be empty
 * after. `interruptWhen` sends SIGINT (Ctrl-C) once stdout matches it.
 */
function runVerify(args: string[], interruptWhen?: RegExp) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; strays: boolean }>((resolve) => {
    const child = spawn(process.execPath, [verifyScript, ...args], { detached: true, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (interruptWhen?.test(stdout)) {
        interruptWhen = undefined;
        process.kill(child.pid!, 'SIGINT');
      }
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => {
      let strays = true;
      try {
        process.kill(-child.pid!, 0);
      } catch {
        strays = false;
      }
      resolve({ code, stdout, stderr, strays });
    });
  });
}

/** Processes whose working directory or command line is inside `dir` (Linux /proc). */
function processesUnder(dir: string) {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((f) => /^\d+$/.test(f))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cwd.startsWith(dir) || cmd.includes(dir)) found.push(`${pid}: ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

describe('the throwaway registry', () => {
  it('serves a published package to npm, with its own user and token', async () => {
    const registry = await startRegistry({ dir: join(scratch, 'a'), port: 0 });
    try {
      const token = await addUser(registry.url);
      const env = cleanEnv(registryEnv(registry, token, join(scratch, 'a-npm')));
      const pkg = join(scratch, 'a-pkg');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@pfmsim-test/a', version: '1.2.3' }));
      writeFileSync(join(pkg, 'index.js'), 'module.exports = 42;\n');
      await run('npm', ['publish', pkg], { cwd: scratch, env });
      expect(await publishedVersions(registry.url, '@pfmsim-test/a')).toEqual(['1.2.3']);
      const { stdout } = await run('npm', ['view', '@pfmsim-test/a', 'version'], { cwd: scratch, env });
      expect(stdout.trim()).toBe('1.2.3');
    } finally {
      await registry.close();
    }
  }, 60_000);

  it('takes another port when the one asked for is taken, and says so', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    const registry = await startRegistry({ dir: join(scratch, 'b'), port: taken });
    try {
      expect(registry.port).not.toBe(taken);
      expect(registry.note).toBe(`port ${taken} is taken; the registry listens on ${registry.port} instead`);
      expect((await fetch(`${registry.url}-/ping`)).ok).toBe(true);
    } finally {
      await registry.close();
      blocker.close();
    }
  });

  it('that cannot listen fails with one line and keeps nothing open', async () => {
    await expect(startRegistry({ dir: join(scratch, 'c'), host: '192.0.2.1', port: 0 })).rejects.toThrow(
      /^the registry server could not listen on 192\.0\.2\.1:0: listen EADDRNOTAVAIL[^\n]*; pass --host 127\.0\.0\.1 or another --port$/,
    );
  });

  it('keeps every other host behind a dead proxy (a public registry cannot be reached)', async () => {
    const registry = await startRegistry({ dir: join(scratch, 'd'), port: 0 });
    try {
      const env = cleanEnv(registryEnv(registry, 'unused', join(scratch, 'd-npm')));
      const out = await run('npm', ['view', 'zod', 'version', '--registry=https://registry.npmjs.org/'], {
        cwd: scratch,
        env,
        allowFailure: true,
      });
      expect(out.code).not.toBe(0);
      expect(out.stderr).toMatch(/ECONNREFUSED/);
    } finally {
      await registry.close();
    }
  }, 60_000);
});

describe('pnpm release:verify, bad input', () => {
  it('a registry that cannot start: one line, exit 1, no process left, no temporary directory left', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('pfmsim-release-verify-')));
    const out = await runVerify(['--host', '192.0.2.1']);
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^release:verify: the registry server could not listen on 192\.0\.2\.1:4873: /),
    ]);
    expect(out.strays).toBe(false);
    const after = readdirSync(tmpdir()).filter(
      (f) => f.startsWith('pfmsim-release-verify-') && !before.has(f),
    );
    expect(after).toEqual([]);
  }, 30_000);

  it('Ctrl-C in the middle of the build: exit 130, the registry, the build and the temporary directory gone', async () => {
    const out = await runVerify(['--port', '0'], /changeset version: /);
    expect(out.code).toBe(130);
    expect(out.stderr).toContain(
      'release:verify: interrupted (SIGINT); stopping the registry and cleaning up',
    );
    const tmp = /storage in (\S+)\)/.exec(out.stdout)?.[1];
    const url = /Verdaccio at (\S+)/.exec(out.stdout)?.[1];
    expect(tmp).toMatch(/pfmsim-release-verify-/);
    expect(processesUnder(tmp!)).toEqual([]);
    expect(existsSync(tmp!)).toBe(false);
    await expect(fetch(`${url}-/ping`)).rejects.toThrow();
  }, 60_000);

  it('a bad flag or port: one line naming the problem, exit 2', async () => {
    const flag = await runVerify(['--registry', 'x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^release:verify: Unknown option '--registry'[^\n]*; see --help\n$/);
    const port = await runVerify(['--port', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toBe(
      'release:verify: --port 70000: not a port number; give 0-65535 (0: any free port)\n',
    );
  }, 30_000);
});

import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module without types
import { cleanup } from './proc.mjs';
// @ts-expect-error: a JavaScript module without types
import { publishedVersions } from './registry.mjs';
// @ts-expect-error: a JavaScript module without types
import { verifyRelease } from './verify.mjs';
// @ts-expect-error: a JavaScript module without types
import { publicPackages } from './workspace.mjs';

const root = new URL('../..', import.meta.url).pathname;
// Stopping the registry server can take a while on a loaded machine.
afterEach(() => cleanup(), 60_000);

describe('pnpm release:verify', () => {
  it('stops before publishing anything when a package does not build', async () => {
    const lines: string[] = [];
    let registryUrl = '';
    const log = (line: string) => {
      lines.push(line);
      registryUrl ||= /Verdaccio at (\S+)/.exec(line)?.[1] ?? '';
    };
    // A type error in the package built first: the release must fail at the build step.
    const breakKernelSim = (copy: string) =>
      appendFileSync(join(copy, 'packages/kernel-sim/src/index.ts'), '\nexport const broken: number = ;\n');

    const verdict = verifyRelease(root, { port: 0, host: '127.0.0.1', keep: false }, log, {
      afterCopy: breakKernelSim,
    });
    await expect(verdict).rejects.toThrow(
      '@pfmsim/kernel-sim does not build; the release stopped before publishing anything',
    );
    expect(registryUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const { name } of publicPackages(root)) {
      expect(await publishedVersions(registryUrl, name), name).toEqual([]);
    }
    expect(await publishedVersions(registryUrl, 'zod')).toEqual([]);
    expect(lines.some((l) => l.startsWith('changeset publish'))).toBe(false);
  }, 120_000);
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'pfmsim-mutation-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const mutation = (...args: string[]) =>
  spawnSync(process.execPath, ['scripts/mutation.mjs', ...args], { cwd: root, encoding: 'utf8' });

describe('pnpm mutation, bad input', () => {
  it('a file that does not exist: one line naming it, exit 2', () => {
    const out = mutation('packages/kernel-sim/src/nope.ts');
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(
      'mutation: packages/kernel-sim/src/nope.ts: no such file; give a source file such as packages/kernel-sim/src/race.ts\n',
    );
  });

  it('a test file or an unknown package: one line, exit 2', () => {
    const test = mutation('packages/kernel-sim/src/race.test.ts');
    expect(test.status).toBe(2);
    expect(test.stderr).toMatch(/^mutation: [^\n]*not a source file of a package[^\n]*\n$/);
    const pkg = mutation('--package', 'packages/nope');
    expect(pkg.status).toBe(2);
    expect(pkg.stderr).toMatch(/^mutation: --package packages\/nope: not a package; one of [^\n]+\n$/);
  });

  it('a broken Stryker configuration: one line with Stryker’s reason and the log, exit 1', () => {
    const config = join(scratch, 'broken.config.mjs');
    writeFileSync(config, 'export default {{ broken\n');
    const out = mutation('--config', config, 'packages/kernel-sim/src/irq.ts');
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(
      /^mutation: Stryker failed on kernel-sim-irq \(exit 1\): Invalid config file [^\n]*; full log: reports\/mutation\/kernel-sim-irq\.log\n$/,
    );
  }, 60_000);
});

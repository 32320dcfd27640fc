// `pfmsim certify` in this process: a built-in certified (exit 0), a broken one not (exit 1)
// with replay commands that reproduce, a plugin strategy, --only, --replay, and bad input as
// one line, exit 2, with nothing run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expectSchema,
  expectUsageError,
  kmallocPluginSource,
  runInProcess,
  tempDir,
} from '../../test/helpers.js';

const SLOW = { timeout: 120_000 };
const certify = (...args: string[]) => runInProcess(['certify', ...args]);

interface CertDoc {
  strategy: string;
  source: string;
  verdict: string;
  failed: string[];
  checks: {
    id: string;
    status: string;
    replay: string[];
    problems: string[];
    figures: Record<string, unknown>;
  }[];
}

describe('pfmsim certify', () => {
  it(
    'slab-cache: every check passes, CERTIFIED, exit 0; the JSON has every check with its figures',
    SLOW,
    async () => {
      const r = await certify('slab-cache', '--no-color');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /^pfmsim \S+ · certify · machine p4-2006 · seed 1 · strategy slab-cache · source built-in\n/,
      );
      expect(r.stdout).toMatch(/\nCERTIFIED: all 7 checks pass\n$/);
      for (const id of ['conformance', 'shared-fd', 'race', 'faults', 'attacks', 'stack', 'cycles']) {
        expect(r.stdout).toMatch(new RegExp(`\\nPASS {4}${id} `));
      }
      const j = await certify('slab-cache', '--json');
      const doc = expectSchema('certify', j.stdout) as unknown as CertDoc;
      expect(doc.verdict).toBe('certified');
      expect(doc.checks.map((c) => c.id)).toEqual([
        'conformance',
        'shared-fd',
        'race',
        'faults',
        'attacks',
        'stack',
        'cycles',
      ]);
      expect(doc.checks[0]!.figures).toEqual({ scenarios: 56, passed: 56, failed: 0 });
    },
  );

  it(
    'ctx-cache-naive: NOT CERTIFIED, exit 1; the race replay command reproduces the finding',
    SLOW,
    async () => {
      const r = await certify('ctx-cache-naive', '--only', 'race,shared-fd', '--no-color');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('NOT CERTIFIED: shared-fd, race failed');
      const race = /replay: pfmsim race (.*)\n/.exec(r.stdout);
      expect(race).not.toBeNull();
      const again = await runInProcess(['race', ...race![1]!.split(' ')]);
      expect(again.stdout).toContain('data-race');
      const shared = /replay: pfmsim certify (.*)\n/.exec(r.stdout);
      const replayed = await runInProcess(['certify', ...shared![1]!.split(' '), '--no-color']);
      expect(replayed.code).toBe(1);
      expect(replayed.stdout).toMatch(
        /shared-fd schedule \S+ under ctx-cache-naive: \d+ problem\(s\)\n {2}- data-race: /,
      );
    },
  );

  it(
    'ctx-cache-spinsplit fails with sleep-in-atomic in the conformance suite and the explorations',
    SLOW,
    async () => {
      const r = await certify('ctx-cache-spinsplit', '--only', 'conformance,race', '--json');
      expect(r.code).toBe(1);
      const doc = expectSchema('certify', r.stdout) as unknown as CertDoc;
      expect(doc.failed).toEqual(['conformance', 'race']);
      for (const c of doc.checks) expect(c.problems[0]).toMatch(/sleep-in-atomic/);
      expect(doc.checks[0]!.replay[0]).toMatch(
        /^pfmsim-test run \S+\.yaml --strategy kmalloc,ctx-cache-spinsplit$/,
      );
    },
  );

  it('a subset that passes is PARTIAL, exit 0; a capped exploration is PARTIAL, exit 1', SLOW, async () => {
    const r = await certify('stack', '--only', 'stack', '--no-color');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'PARTIAL: only stack checked (1 of 7), all pass (with caveats: stack); not a certificate',
    );
    expect(r.stdout).toContain('WARN    stack');
  });

  it(
    'a plugin strategy is certified like a built-in, its source named; replay commands load the plugin',
    SLOW,
    async () => {
      const dir = tempDir('pfmsim-certify-');
      writeFileSync(join(dir, 'leaky.mjs'), kmallocPluginSource('leaky', 'leaky', { leak: true }));
      const r = await runInProcess(
        ['certify', 'leaky', '--plugin', './leaky.mjs', '--only', 'faults,attacks', '--json'],
        {
          cwd: dir,
        },
      );
      expect(r.code, r.stderr).toBe(1);
      const doc = expectSchema('certify', r.stdout) as unknown as CertDoc;
      expect(doc.source).toMatch(/leaky/);
      expect(doc.failed).toEqual(['faults', 'attacks']);
      // the leaked buffers fill the lab's 2 MiB arena: calls start failing with ENOMEM
      expect(doc.checks[0]!.problems[0]).toMatch(/returned -12, expected/);
      expect(doc.checks[1]!.replay).toEqual([
        'pfmsim --plugin ./leaky.mjs certify leaky --machine p4-2006 --seed 1 --only attacks',
      ]);
    },
  );

  it('bad input: one line, exit 2, nothing run', async () => {
    expectUsageError(await certify('nope'), /unknown strategy "nope"/);
    expectUsageError(await certify('kmalloc', '--only', 'faults,speed'), /unknown check "speed"/);
    expectUsageError(await certify('kmalloc', '--max-preemptions', '99'), /--max-preemptions/);
    expectUsageError(await certify('kmalloc', '--replay', 'nope:1:0'), /unknown shared-fd plan/);
    expectUsageError(
      await certify('kmalloc', '--only', 'faults', '--replay', 'two-calls:1:0'),
      /--replay replays a shared-fd schedule/,
    );
    expectUsageError(await certify(), /missing required argument 'strategy'/);
  });
});

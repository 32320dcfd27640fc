import { ARCH_IDS } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { StrategyLab } from './lab.js';
import { formatStackReport, stackReport } from './stack-report.js';
import { createHybridStrategy } from './strategies/hybrid.js';
import { createKmallocStrategy } from './strategies/kmalloc.js';
import { createStackStrategy } from './strategies/stack.js';

describe('stack use', () => {
  it('stack with threshold 8 puts 1408 B of pfarg_pmd in the frame: flagged against the 32-bit FRAME_WARN', () => {
    const lab = new StrategyLab({
      arch: 'i386',
      cost: 'p4-2006',
      seed: 1,
      strategy: createStackStrategy({ threshold: 8 }),
    });
    const t = lab.thread('reader');
    const ctx = lab.openContext(t);
    const u = lab.process.mm.mmap(8 * 176);
    expect(lab.k.runSync(t, lab.call(t, ctx, 'pmd', 8, u))).toBe(0);
    expect(lab.k.stacks.warnings).toEqual([
      { frame: 'lab pmd frame', bytes: 1408, limit: 1024, arch: 'i386' },
    ]);
    const report = stackReport(createStackStrategy({ threshold: 8 }), 'i386');
    const pmd = report.rows.find((r) => r.kind === 'pmd')!;
    expect([pmd.frameBytes, pmd.frameWarnExceeded]).toEqual([1408, true]);
    expect(report.rows.find((r) => r.kind === 'pmc')!.frameWarnExceeded).toBe(false); // 8 x 48 = 384 B
  });

  it('the stack report measures its margin on the i386-4k 4 KiB stack with the entry depth counted', () => {
    const report = stackReport(createStackStrategy({ threshold: 8 }), 'i386-4k');
    expect([report.threadSize, report.usable, report.entryDepth, report.frameWarn]).toEqual([
      4096, 4040, 160, 1024,
    ]);
    const pmd = report.rows.find((r) => r.kind === 'pmd')!;
    // 160 B of entry path + the 1408-B frame = 1568 B; 4040 - 1568 = 2472 B left below it.
    expect([pmd.measuredDepth, pmd.margin, pmd.overflow, pmd.frameWarnExceeded]).toEqual([
      1568,
      2472,
      false,
      true,
    ]);
    expect(report.assumption).toMatch(/entry depth 160 B/);
    expect(formatStackReport(report)).toContain(
      'pmd: 8 x 176 = 1408 B (exceeds FRAME_WARN), measured depth 1568 B, margin 2472 B',
    );
  });

  it('reports an overflow instead of throwing when a frame does not fit at all', () => {
    const report = stackReport(createStackStrategy({ pmd: 23 }), 'i386-4k');
    const pmd = report.rows.find((r) => r.kind === 'pmd')!;
    expect(pmd.frameBytes).toBe(4048);
    expect(pmd.overflow).toBe(true);
    expect(pmd.margin).toBeLessThan(0);
  });

  it('the per-arch defaults of stack (PFM_ARCH_P?C_STK_ARG) and hybrid fit the stack; FRAME_WARN holds except ppc32', () => {
    const exceeded: string[] = [];
    for (const arch of ARCH_IDS) {
      for (const strategy of [createStackStrategy(), createHybridStrategy()]) {
        const report = stackReport(strategy, arch);
        for (const row of report.rows) {
          expect(row.overflow, `${strategy.name} ${arch} ${row.kind}`).toBe(false);
          expect(row.margin, `${strategy.name} ${arch} ${row.kind}`).toBeGreaterThan(report.usable / 2);
          if (row.frameWarnExceeded) exceeded.push(`${strategy.name} ${arch} ${row.kind} ${row.frameBytes}`);
        }
      }
    }
    // V19's PPC32 value, 6 pfarg_pmd, is 1056 B: 32 B over the 32-bit CONFIG_FRAME_WARN.
    expect(exceeded).toEqual(['stack ppc32 pmd 1056']);
  });

  it('the defaults also fit the i386-4k stack: the 4K-stacks value is 2 elements (352 B), margin 3528 B', () => {
    for (const strategy of [createStackStrategy(), createHybridStrategy()]) {
      const pmd = stackReport(strategy, 'i386-4k').rows.find((r) => r.kind === 'pmd')!;
      expect([pmd.frameBytes, pmd.margin, pmd.frameWarnExceeded]).toEqual([352, 3528, false]);
    }
  });

  it('a frame of exactly CONFIG_FRAME_WARN builds without a warning; one element more warns', () => {
    // a stack strategy with an on-stack array of pfarg_setdesc only
    const setdescOnStack = (n: number) => ({
      ...createStackStrategy(),
      frameBytes: (kind: string, elemSize: number) => (kind === 'setdesc' ? n * elemSize : 0),
    });
    const exact = stackReport(setdescOnStack(16), 'i386'); // 16 x 64 = 1024 B
    expect(exact.rows.find((r) => r.kind === 'setdesc')!.frameWarnExceeded).toBe(false);
    expect(exact.warnings).toEqual([]);
    const over = stackReport(setdescOnStack(17), 'i386');
    expect(over.rows.find((r) => r.kind === 'setdesc')!.frameWarnExceeded).toBe(true);
    expect(over.warnings).toEqual([{ frame: 'lab setdesc frame', bytes: 1088, limit: 1024, arch: 'i386' }]);
  });

  it('states the entry depth it assumed and where the arch profile says it comes from', () => {
    for (const arch of ['i386', 'ia64'] as const) {
      expect(stackReport(createStackStrategy(), arch).assumption).toMatch(
        /^syscall entry depth \d+ B \(entry depth: documented assumption \(pt_regs \+ entry frames\), see arch.ts\); the frame holds only the argument array/,
      );
    }
  });

  it('formats one line per kind with an array under a header line; an overflow is flagged', () => {
    expect(formatStackReport(stackReport(createStackStrategy({ pmd: 23 }), 'i386-4k')).split('\n')).toEqual([
      'stack on i386-4k: THREAD_SIZE 4096 B, usable 4040 B, entry depth 160 B, FRAME_WARN 1024 B',
      '  pmc: 2 x 48 = 96 B (within FRAME_WARN), measured depth 256 B, margin 3784 B',
      '  pmd: 23 x 176 = 4048 B (exceeds FRAME_WARN), measured depth 4208 B, margin -168 B OVERFLOW',
    ]);
    expect(formatStackReport(stackReport(createKmallocStrategy(), 'i386'))).toBe(
      'kmalloc on i386: THREAD_SIZE 8192 B, usable 8136 B, entry depth 160 B, FRAME_WARN 1024 B',
    );
  });

  it('only a stack overflow is reported as one: any other error of the strategy propagates', () => {
    const failing = {
      ...createKmallocStrategy(),
      acquire: () => {
        throw new RangeError('strategy bug');
      },
    };
    expect(() => stackReport(failing, 'i386')).toThrow(RangeError);
  });
});

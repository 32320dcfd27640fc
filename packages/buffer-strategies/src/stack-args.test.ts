import { ARCH_IDS } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { archStackArgs, archStackArgsSource, archStackArgsV3 } from './stack-args.js';

describe('PFM_ARCH_P?C_STK_ARG', () => {
  it('keeps pmc and pmd elements on the stack per arch; the evtset calls keep none (lsz = 0)', () => {
    const table = Object.fromEntries(
      ARCH_IDS.map((arch) => [
        arch,
        (['pmc', 'pmd', 'setdesc', 'setinfo'] as const).map((kind) => archStackArgs(arch, kind)),
      ]),
    );
    expect(table).toEqual({
      i386: [4, 4, 0, 0],
      'i386-4k': [2, 2, 0, 0],
      x86_64: [4, 4, 0, 0],
      'x86_64-16k': [4, 4, 0, 0],
      ia64: [8, 8, 0, 0],
      ppc32: [6, 6, 0, 0],
      ppc64: [8, 8, 0, 0],
      mips64: [2, 2, 0, 0],
      sparc64: [1, 2, 0, 0],
    });
  });

  it('says where each value comes from', () => {
    for (const arch of ARCH_IDS) expect(archStackArgsSource(arch), arch).not.toBe('');
    expect(archStackArgsSource('i386-4k')).toMatch(/CONFIG_4KSTACKS/);
    expect(archStackArgsSource('ia64')).toBe('asm-ia64/perfmon.h');
  });

  it("perfmon3's PFM_ARCH_STK_ARG in 16-byte pfarg_pmr: 8 on x86, 4 with 4K stacks, the generic 1 elsewhere", () => {
    expect(Object.fromEntries(ARCH_IDS.map((arch) => [arch, archStackArgsV3(arch)]))).toEqual({
      i386: 8,
      'i386-4k': 4,
      x86_64: 8,
      'x86_64-16k': 8,
      ia64: 1,
      ppc32: 1,
      ppc64: 1,
      mips64: 1,
      sparc64: 1,
    });
  });
});

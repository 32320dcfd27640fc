import type { ArchId } from '@pfmsim/kernel-sim';
import type { ElemKind } from './spec.js';

/**
 * PFM_ARCH_PMC_STK_ARG / PFM_ARCH_PMD_STK_ARG per architecture (perfmon2-abi.md §7): how many
 * elements each vector syscall keeps on the stack. The evtset calls pass lsz = 0 (always
 * kmalloc). The default is 1 where an arch header does not define them.
 */
const STK_ARG: Record<ArchId, { pmc: number; pmd: number; source: string }> = {
  i386: { pmc: 4, pmd: 4, source: 'V17.1, V17.9, V19 16/21; 2008 (i386 8 KiB stacks)' },
  'i386-4k': { pmc: 2, pmd: 2, source: 'V17.1, V17.9, V19 16/21; 2008 (CONFIG_4KSTACKS)' },
  x86_64: { pmc: 4, pmd: 4, source: 'x86_64 includes the i386 header' },
  'x86_64-16k': { pmc: 4, pmd: 4, source: 'x86_64 includes the i386 header' },
  ia64: { pmc: 8, pmd: 8, source: 'asm-ia64/perfmon.h' },
  ppc32: { pmc: 6, pmd: 6, source: 'PPC32 (V19, 2008)' },
  ppc64: { pmc: 8, pmd: 8, source: 'PPC64 incl. Cell (V19, 2008); V18 used 1' },
  mips64: { pmc: 2, pmd: 2, source: '2008 perfmon_kern.h' },
  sparc64: { pmc: 1, pmd: 2, source: '2008' },
};

/** Elements of `kind` the real perfmon2 kept on the stack on this arch. */
export function archStackArgs(arch: ArchId, kind: ElemKind): number {
  const row = STK_ARG[arch];
  if (kind === 'pmc') return row.pmc;
  if (kind === 'pmd') return row.pmd;
  return 0;
}

export function archStackArgsSource(arch: ArchId): string {
  return STK_ARG[arch].source;
}

/**
 * perfmon3's single on-stack buffer (`PFM_ARCH_STK_ARG`, in u64) as 16-byte pfarg_pmr
 * elements: x86 16 u64 = 8 pmr (8 u64 = 4 pmr with 4K stacks); the generic default 2 u64.
 */
export function archStackArgsV3(arch: ArchId): number {
  if (arch === 'i386-4k') return 4;
  if (arch === 'i386' || arch === 'x86_64' || arch === 'x86_64-16k') return 8;
  return 1;
}

import { createStrategy } from '@pfmsim/buffer-strategies';
import { type ArchId, getArch } from '@pfmsim/kernel-sim';
import type { CompareResult, VectorSyscall } from '@pfmsim/lab';
import { type AbiProfileId, getAbiProfile } from '@pfmsim/perfmon-core';

const KIND: Readonly<Record<VectorSyscall, 'pmc' | 'pmd'>> = {
  pfm_read_pmds: 'pmd',
  pfm_write_pmds: 'pmd',
  pfm_write_pmcs: 'pmc',
};

/** The vector element of a call under an ABI: its struct name and size in bytes. */
export function vectorElement(abi: AbiProfileId, syscall: VectorSyscall): { name: string; bytes: number } {
  const profile = getAbiProfile(abi);
  if (profile.family === 'v3') return { name: 'pfarg_pmr', bytes: profile.sizes.pmr };
  const kind = KIND[syscall];
  return { name: `pfarg_${kind}`, bytes: profile.sizes[kind] };
}

/** Registers the `stack` strategy keeps on the stack for this call (PFM_ARCH_P?C_STK_ARG). */
export function stackRegisters(arch: ArchId, abi: AbiProfileId, syscall: VectorSyscall): number {
  const elem = vectorElement(abi, syscall);
  return Math.floor(
    createStrategy('stack').frameBytes(KIND[syscall], elem.bytes, getArch(arch)) / elem.bytes,
  );
}

/**
 * Why `stack` costs what kmalloc costs for large vectors: null unless both were measured and
 * cost the same at the largest count, which is above the stack strategy's threshold.
 */
export function stackThresholdNote(r: CompareResult, syscall: VectorSyscall): string | null {
  const at = (strategy: string, count: number) =>
    r.results.find((m) => m.strategy === strategy && m.syscall === syscall && m.count === count);
  const largest = Math.max(...r.counts);
  const stack = at('stack', largest);
  const kmalloc = at('kmalloc', largest);
  if (!stack || !kmalloc || stack.error !== null || stack.cyclesPerCall !== kmalloc.cyclesPerCall)
    return null;
  const held = stackRegisters(r.arch as ArchId, r.abi, syscall);
  const from = r.counts.filter((n) => n > held).sort((a, b) => a - b)[0];
  if (from === undefined) return null;
  const elem = vectorElement(r.abi, syscall);
  return (
    `stack = kmalloc from n=${from}: the stack strategy's on-stack array holds up to ${held} registers ` +
    `(${held} x ${elem.bytes}-B ${elem.name} on ${r.arch}); larger vectors take kmalloc`
  );
}

import { checkOneOf } from './errors.js';

/**
 * Architecture profiles of the 2.6.18 era. `syscallEntryDepth` is the kernel stack already
 * in use when a system-call handler's own frame starts; `frameWarn` is CONFIG_FRAME_WARN.
 */
export interface ArchProfile {
  readonly id: ArchId;
  readonly description: string;
  readonly wordSize: 4 | 8;
  readonly pageSize: number;
  readonly threadSize: number;
  /** Bytes of THREAD_SIZE not usable by call frames (thread_info; on ia64 task_struct + RBS). */
  readonly reservedBytes: number;
  /** Stack used by the entry path (pt_regs + entry/dispatch frames) before the handler runs. */
  readonly syscallEntryDepth: number;
  readonly frameWarn: number;
  /** L1_CACHE_BYTES of the era's typical config: decides the 96 and 192 B kmalloc classes. */
  readonly l1CacheBytes: number;
  readonly sources: readonly string[];
}

export const ARCH_IDS = [
  'i386',
  'i386-4k',
  'x86_64',
  'x86_64-16k',
  'ia64',
  'ppc32',
  'ppc64',
  'mips64',
  'sparc64',
] as const;
export type ArchId = (typeof ARCH_IDS)[number];

// The entry depths are a documented assumption, not a measurement:
// i386: pt_regs 60 B + system_call/sysenter and syscall-table dispatch ~100 B = 160 B, and
//   thread_info (56 B) sits at the bottom of the same THREAD_SIZE area (reservedBytes).
// 64-bit: pt_regs 168 B (x86_64), 352 B (ppc64 incl. red zone), 272 B (mips64 incl. argument
//   save area) plus ~100 B of dispatch.
// Sources: include/asm-i386/ptrace.h, include/asm-x86_64/ptrace.h, arch/*/kernel/entry*.S
// (2.6.18); THREAD_SIZE from perfmon2-abi.md §7.
const ASSUMED = 'entry depth: documented assumption (pt_regs + entry frames), see arch.ts';

const profiles: Record<ArchId, ArchProfile> = {
  i386: {
    id: 'i386',
    description: 'i386, 8 KiB kernel stacks (2.6.18 default)',
    wordSize: 4,
    pageSize: 4096,
    threadSize: 8192,
    reservedBytes: 56,
    syscallEntryDepth: 160,
    frameWarn: 1024,
    l1CacheBytes: 128,
    sources: ['THREAD_SIZE: perfmon2-abi.md §7', ASSUMED, 'L1 128 B: CONFIG_MPENTIUM4 X86_L1_CACHE_SHIFT=7'],
  },
  'i386-4k': {
    id: 'i386-4k',
    description: 'i386 with CONFIG_4KSTACKS (irqs on their own stacks)',
    wordSize: 4,
    pageSize: 4096,
    threadSize: 4096,
    reservedBytes: 56,
    syscallEntryDepth: 160,
    frameWarn: 1024,
    l1CacheBytes: 128,
    sources: ['THREAD_SIZE 4 KiB with CONFIG_4KSTACKS: perfmon2-abi.md §7', ASSUMED],
  },
  x86_64: {
    id: 'x86_64',
    description: 'x86_64, 8 KiB kernel stacks (2006)',
    wordSize: 8,
    pageSize: 4096,
    threadSize: 8192,
    reservedBytes: 0,
    syscallEntryDepth: 272,
    frameWarn: 2048,
    l1CacheBytes: 64,
    sources: ['THREAD_SIZE 8 KiB until 3.15: perfmon2-abi.md §7', ASSUMED],
  },
  'x86_64-16k': {
    id: 'x86_64-16k',
    description: 'x86_64, 16 KiB kernel stacks (3.15 and later)',
    wordSize: 8,
    pageSize: 4096,
    threadSize: 16384,
    reservedBytes: 0,
    syscallEntryDepth: 272,
    frameWarn: 2048,
    l1CacheBytes: 64,
    sources: ['THREAD_SIZE 16 KiB from 3.15 (commit 6538b8ea886e): perfmon2-abi.md §7', ASSUMED],
  },
  ia64: {
    id: 'ia64',
    description: 'ia64, 16 KiB pages, one 32 KiB area for task_struct, stack and RBS',
    wordSize: 8,
    pageSize: 16384,
    threadSize: 32768,
    // task_struct (~2 KiB) and the register backing store grow into the same area; half of
    // it is assumed to be left for memory-stack frames (UNVERIFIED).
    reservedBytes: 16384,
    syscallEntryDepth: 400,
    frameWarn: 2048,
    l1CacheBytes: 128,
    sources: ['32 KiB area: perfmon2-abi.md §7', 'RBS/task_struct share: UNVERIFIED assumption', ASSUMED],
  },
  ppc32: {
    id: 'ppc32',
    description: 'PowerPC 32-bit, 8 KiB kernel stacks',
    wordSize: 4,
    pageSize: 4096,
    threadSize: 8192,
    reservedBytes: 64,
    syscallEntryDepth: 256,
    frameWarn: 1024,
    l1CacheBytes: 32,
    sources: ['THREAD_SIZE: perfmon2-abi.md §7', ASSUMED],
  },
  ppc64: {
    id: 'ppc64',
    description: 'PowerPC 64-bit, 16 KiB kernel stacks',
    wordSize: 8,
    pageSize: 4096,
    threadSize: 16384,
    reservedBytes: 128,
    syscallEntryDepth: 452,
    frameWarn: 2048,
    l1CacheBytes: 128,
    sources: ['THREAD_SIZE: perfmon2-abi.md §7', ASSUMED],
  },
  mips64: {
    id: 'mips64',
    description: 'MIPS64, 16 KiB kernel stacks',
    wordSize: 8,
    pageSize: 4096,
    threadSize: 16384,
    reservedBytes: 128,
    syscallEntryDepth: 372,
    frameWarn: 2048,
    l1CacheBytes: 32,
    sources: ['THREAD_SIZE: perfmon2-abi.md §7', ASSUMED],
  },
  sparc64: {
    id: 'sparc64',
    description: 'SPARC64, 8 KiB pages, 16 KiB kernel stacks (UNVERIFIED)',
    wordSize: 8,
    pageSize: 8192,
    threadSize: 16384,
    reservedBytes: 128,
    syscallEntryDepth: 400,
    frameWarn: 2048,
    l1CacheBytes: 32,
    sources: ['THREAD_SIZE 16 KiB: perfmon2-abi.md §7 (UNVERIFIED)', ASSUMED],
  },
};

export interface ArchOverrides {
  threadSize?: number;
  syscallEntryDepth?: number;
  frameWarn?: number;
}

export function getArch(id: unknown, overrides: ArchOverrides = {}): ArchProfile {
  // checked against the list, not with `in`: "toString" is in every object
  return Object.freeze({ ...profiles[checkOneOf('arch', id, ARCH_IDS)], ...overrides });
}

export function listArchs(): ArchProfile[] {
  return ARCH_IDS.map((id) => profiles[id]);
}

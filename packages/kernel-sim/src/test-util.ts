import { createKernel, type Kernel, type KernelOptions } from './kernel.js';
import type { KGen, Thread } from './sched/thread.js';

/** A small kernel for tests: 1 MiB arena, i386 + p4-2006 unless overridden. */
export function testKernel(opts: Partial<KernelOptions> = {}): Kernel {
  return createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, arenaBytes: 1 << 20, ...opts });
}

/** One process with one thread, and a helper to run a generator on it synchronously. */
export function oneThread(k: Kernel): { t: Thread; run: <T>(g: KGen<T>) => T } {
  const p = k.createProcess();
  const t = k.spawn(p, 'main');
  return { t, run: (g) => k.runSync(t, g) };
}

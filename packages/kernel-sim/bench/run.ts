import { createKernel, GFP_KERNEL, type KGen, type Thread, Y_PREEMPT } from '@pfmsim/kernel-sim';
import { type BenchResult, bench, report } from '../../../scripts/bench.js';

const k = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1 });
const p = k.createProcess();
const t = k.spawn(p, 'bench');
const owner = k.mem.tag('bench');
const ubuf = p.mm.mmap(4096);
const kbuf = k.mem.kmalloc(t, 1024, GFP_KERNEL, owner, owner);
const lock = k.sync.createSpinlock('ctx->lock');

const target = (r: BenchResult, ns: number): BenchResult => ({
  ...r,
  target: `< ${ns} ns`,
  ok: r.nsPerOp < ns,
});

const results = [
  target(
    bench('kmalloc+kfree 64 B', () => {
      k.mem.kfree(t, k.mem.kmalloc(t, 64, GFP_KERNEL, owner, owner));
    }),
    100,
  ),
  target(
    bench('kmalloc+kfree 1 KiB', () => {
      k.mem.kfree(t, k.mem.kmalloc(t, 1024, GFP_KERNEL, owner, owner));
    }),
    100,
  ),
  target(
    bench('copy_from_user 704 B', () => {
      k.uaccess.copyFromUser(t, kbuf, ubuf, 704);
    }),
    100,
  ),
  target(
    bench('spin_lock_irqsave+restore', () => {
      k.sync.spinLockIrqsave(t, lock);
      k.sync.spinUnlockIrqrestore(t, lock);
    }),
    100,
  ),
];

// One scheduler switch: two threads that only yield, under round-robin.
const SWITCHES = 200_000;
function switchKernel() {
  const ks = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, arenaBytes: 1 << 20 });
  const ps = ks.createProcess();
  const body = function* (_t: Thread): KGen<void> {
    for (let i = 0; i < SWITCHES / 2; i++) yield Y_PREEMPT;
  };
  ks.spawn(ps, 'a', body);
  ks.spawn(ps, 'b', body);
  return ks;
}
let best = Number.POSITIVE_INFINITY;
for (let round = 0; round < 5; round++) {
  const ks = switchKernel();
  const start = process.hrtime.bigint();
  const r = ks.run({ kind: 'round-robin' }, 10_000_000);
  const ns = Number(process.hrtime.bigint() - start) / r.steps;
  best = Math.min(best, ns);
}
results.push(target({ name: 'scheduler switch (round-robin)', nsPerOp: best, opsPerSec: 1e9 / best }, 200));

report('@pfmsim/kernel-sim benchmarks (host time per simulated operation)', results);

import {
  createKernel,
  explore,
  GFP_KERNEL,
  type KGen,
  type Thread,
  Y_BLOCK,
  Y_PREEMPT,
} from '@pfmsim/kernel-sim';

// Two threads share a context's cached buffer with no ownership protocol: the seed's
// per-context cache done naively. Exhaustive exploration finds the race and its replay.
function build(seed: number) {
  const k = createKernel({ arch: 'i386', cost: 'p4-2006', seed, cpus: 2, arenaBytes: 1 << 20 });
  const p = k.createProcess({ uid: 1000 });
  const setup = k.spawn(p, 'setup');
  const buf = k.mem.kmalloc(setup, 1024, GFP_KERNEL, k.mem.tag('ctx'), k.mem.tag('ctx->buf'));
  k.threads.length = 0; // the setup thread takes no part in the run
  p.threads.length = 0;
  const lock = k.sync.createSpinlock('ctx->lock');
  const user = p.mm.mmap(4096);
  const copy = k.mem.tag('copy_from_user into ctx->buf');
  const body = function* (t: Thread): KGen<void> {
    k.uaccess.copyFromUser(t, buf, user, 704, copy);
    if (k.sleepPoint(t)) yield Y_PREEMPT;
    if (k.sync.spinLockIrqsave(t, lock)) yield Y_BLOCK;
    k.sync.spinUnlockIrqrestore(t, lock);
  };
  k.spawn(p, 'A', body);
  k.spawn(p, 'B', body);
  return k;
}

const result = explore({ build, mode: 'exhaustive', maxPreemptions: 2 });
const first = result.findings[0];
console.log(
  `${result.schedules} schedules, first finding: ${first?.bugs[0]?.kind} (replay ${first?.replay})`,
);

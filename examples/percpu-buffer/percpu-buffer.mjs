// pfmsim plugin: `percpu-buffer`, an argument-buffer strategy the 2006 thread did not consider.
//
// One PAGE_SIZE buffer per CPU, reserved when the kernel boots (a DEFINE_PER_CPU area), never
// per user, context or thread. A call takes the buffer of the CPU it runs on with one cmpxchg
// on that CPU's claim word and gives it back with one xchg, so the copies run preemptible and
// may sleep on a page fault, and a thread that migrated to another CPU during a copy can
// still give the buffer back (a preempt_disable around the claim alone would not make that
// remote release safe). A second caller on the same CPU (the first one was preempted or slept
// in a copy) and a vector larger than the buffer (arg_size_max raised above PAGE_SIZE) take
// the 2006 path: kmalloc per call. Pinned memory is nr_cpus pages whatever anyone does.
//
// Written as an outsider would: a plain object that imports nothing. It reaches the kernel
// only through the call it is given (call.k: memory, atomics, the thread).

const E2BIG = 7;
const ENOMEM = 12;
const GFP_KERNEL = 0xd0;
/** call.how: 0 nothing held, 1 a kmalloc'd buffer, 2 + cpu the per-CPU buffer of that CPU. */
const HOW_NONE = 0;
const HOW_KMALLOC = 1;
const HOW_PERCPU = 2;

/**
 * `options.claim`: 'cmpxchg' (the default, correct), or 'preempt-off': the claim word read and
 * written plainly between preempt_disable and preempt_enable, kept to show why that is not
 * enough (pfmsim finds the race between two threads of one CPU; see README.md).
 */
export function createPercpuBufferStrategy(options = {}) {
  const plain = options.claim === 'preempt-off';
  /** Per kernel: each CPU's buffer, the page of claim words (one word per CPU), a site tag. */
  const perKernel = new WeakMap();
  const state = (k) => {
    let s = perKernel.get(k);
    if (s === undefined) {
      const owner = k.mem.tag('percpu arg buffers');
      s = {
        bufs: k.cpus.map(() => k.mem.reservePages(0, owner)),
        claims: k.mem.reservePages(0, owner),
        size: k.arch.pageSize,
        site: k.mem.tag('percpu arg buffer claim (cmpxchg/xchg)'),
      };
      perKernel.set(k, s);
    }
    return s;
  };
  const kmallocPath = (call) => {
    const buf = call.k.mem.kmalloc(call.t, call.bytes, GFP_KERNEL, call.slot.owner, call.site);
    if (buf === 0) return -ENOMEM;
    call.buf = buf;
    call.how = HOW_KMALLOC;
    return buf;
  };
  return {
    specificationVersion: 'v1',
    name: 'percpu-buffer',
    description:
      'one PAGE_SIZE buffer per CPU, claimed with cmpxchg and returned with xchg; kmalloc when it is taken',
    pinnedFormula:
      'nr_cpus x PAGE_SIZE (+ one page of claim words), reserved at boot; nothing per user, context or thread',
    stackFootprint: '0 B',
    frameBytes: () => 0,
    init(k) {
      state(k);
    },
    acquire(call) {
      const { k, t } = call;
      if (call.bytes > call.limit) return -E2BIG;
      const s = state(k);
      if (call.bytes > s.size) return kmallocPath(call);
      // raw_smp_processor_id(): only a hint, the cmpxchg makes the claim safe from any CPU
      const cpu = t.cpu;
      const claim = s.claims + cpu * k.arch.wordSize;
      if (plain) {
        k.sync.preemptDisable(t);
        const taken = k.mem.readWord(claim) !== 0;
        if (!taken) k.mem.writeWord(claim, 1);
        k.sync.preemptEnable(t);
        if (taken) return kmallocPath(call);
      } else if (k.sync.cmpxchg(t, claim, 0, 1, s.site) !== 0) return kmallocPath(call);
      call.buf = s.bufs[cpu];
      call.how = HOW_PERCPU + cpu;
      return call.buf;
    },
    release(call) {
      const { k, t } = call;
      if (call.how === HOW_KMALLOC) k.mem.kfree(t, call.buf);
      else if (call.how >= HOW_PERCPU) {
        const s = state(k);
        const claim = s.claims + (call.how - HOW_PERCPU) * k.arch.wordSize;
        if (plain) {
          k.sync.preemptDisable(t);
          k.mem.writeWord(claim, 0);
          k.sync.preemptEnable(t);
        } else k.sync.xchg(t, claim, 0, s.site);
      }
      call.buf = 0;
      call.how = HOW_NONE;
    },
  };
}

export default {
  specificationVersion: 1,
  name: 'percpu-buffer',
  strategies: { 'percpu-buffer': createPercpuBufferStrategy },
};

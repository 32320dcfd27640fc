import { createStackStrategy } from '@pfmsim/buffer-strategies';
import {
  createPfargCtx,
  createPfargLoad,
  createPfargPmc,
  createPfargPmd,
  createSystem,
  decodePfargVector,
  encodePfarg,
  encodePfargVector,
  workloadFromEvents,
} from '@pfmsim/perfmon-core';

// A Pentium III running 2.6.19 perfmon2 (ABI v2.3), the stack argument strategy.
const sys = createSystem({
  machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
  strategy: createStackStrategy(),
});
const proc = sys.process({ uid: 1000 });
const t = sys.thread(proc, 'self');
const g = sys.gate(t);
const abi = sys.abi;
const mm = proc.mm;

// User memory holding the pfarg structs, as libpfm would lay them out.
const uctx = mm.mmap(4096);
encodePfarg('ctx', mm.dataView(uctx, abi.sizes.ctx, true), 0, createPfargCtx(), abi);
const fd = g.pfm_create_context(uctx);
if (!fd.ok) throw new Error(`errno ${fd.errno}`);

const upmcs = mm.mmap(4096);
const pmcs = [
  createPfargPmc({ reg_num: 0, reg_value: 0x510079n }),
  createPfargPmc({ reg_num: 1, reg_value: 0x1100c0n }),
];
encodePfargVector('pmc', mm.dataView(upmcs, 2 * abi.sizes.pmc, true), 0, pmcs, abi);
const upmds = mm.mmap(4096);
encodePfargVector(
  'pmd',
  mm.dataView(upmds, 2 * abi.sizes.pmd, true),
  0,
  [createPfargPmd({ reg_num: 0 }), createPfargPmd({ reg_num: 1 })],
  abi,
);
const uload = mm.mmap(4096);
encodePfarg('load', mm.dataView(uload, abi.sizes.load, true), 0, createPfargLoad({ load_pid: t.tid }), abi);

console.log('write_pmcs', g.pfm_write_pmcs(fd.value, upmcs, 2));
console.log('write_pmds', g.pfm_write_pmds(fd.value, upmds, 2));
console.log('load', g.pfm_load_context(fd.value, uload), 'start', g.pfm_start(fd.value));
sys.runSync(
  t,
  workloadFromEvents(sys.pmu.model, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.75 }),
  3_000_000,
);
console.log('stop', g.pfm_stop(fd.value));

const before = t.clock.total;
console.log('read_pmds', g.pfm_read_pmds(fd.value, upmds, 2), `${t.clock.total - before} cycles`);
for (const pmd of decodePfargVector('pmd', mm.dataView(upmds, 2 * abi.sizes.pmd, false), 0, 2, abi)) {
  console.log(`PMD${pmd.reg_num} ${pmd.reg_value}`);
}
console.log('close', g.close(fd.value), 'kernel bugs', sys.k.bugs.length);

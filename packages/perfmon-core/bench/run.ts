// perfmon-core benchmarks: simulated system calls per host second (against the built dist/).
import { createStackStrategy } from '@pfmsim/buffer-strategies';
import {
  createPfargCtx,
  createPfargPmc,
  createPfargPmd,
  createSystem,
  decodePfargVector,
  encodePfarg,
  encodePfargVector,
  workloadFromEvents,
} from '@pfmsim/perfmon-core';
import { bench, report } from '../../../scripts/bench.js';

function readPmdsBench() {
  const s = createSystem({
    machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
    strategy: createStackStrategy(),
  });
  const p = s.process();
  const t = s.thread(p, 'bench');
  const abi = s.abi;
  const uctx = p.mm.mmap(abi.sizes.ctx);
  encodePfarg('ctx', p.mm.dataView(uctx, abi.sizes.ctx, true), 0, createPfargCtx(), abi);
  const fd = s.k.runSync(t, s.sys.pfm_create_context(t, uctx));
  const u = p.mm.mmap(4 * abi.sizes.pmd);
  const pmds = [0, 1, 0, 1].map((reg_num) => createPfargPmd({ reg_num }));
  encodePfargVector('pmd', p.mm.dataView(u, 4 * abi.sizes.pmd, true), 0, pmds, abi);
  s.k.runSync(t, s.sys.pfm_write_pmds(t, fd, u, 4));
  const sys = s.sys;
  const k = s.k;
  return () => {
    if (k.runSync(t, sys.pfm_read_pmds(t, fd, u, 4)) !== 0) throw new Error('pfm_read_pmds failed');
  };
}

/**
 * Counting: one workload segment per iteration on Intel Core with both PERFEVTSELs and the
 * three fixed counters programmed, so each iteration decodes five counters (the encoding
 * scheme's decoder) and looks their rates up.
 */
function countingBench() {
  const s = createSystem({
    machine: { arch: 'i386', cost: 'k8-2006', pmu: 'intel-core' },
    strategy: createStackStrategy(),
  });
  const p = s.process();
  const t = s.thread(p, 'bench');
  const abi = s.abi;
  const k = s.k;
  const sys = s.sys;
  const uctx = p.mm.mmap(abi.sizes.ctx);
  encodePfarg('ctx', p.mm.dataView(uctx, abi.sizes.ctx, true), 0, createPfargCtx(), abi);
  const fd = k.runSync(t, sys.pfm_create_context(t, uctx));
  const evtsel = (code: number) => BigInt(code) | (1n << 16n) | (1n << 22n);
  const pmcs = [
    { reg_num: 0, reg_value: evtsel(0x3c) },
    { reg_num: 1, reg_value: evtsel(0xc0) },
    { reg_num: 16, reg_value: 0x222n },
  ].map((v) => createPfargPmc(v));
  const up = p.mm.mmap(pmcs.length * abi.sizes.pmc);
  encodePfargVector('pmc', p.mm.dataView(up, pmcs.length * abi.sizes.pmc, true), 0, pmcs, abi);
  if (k.runSync(t, sys.pfm_write_pmcs(t, fd, up, pmcs.length)) !== 0)
    throw new Error('pfm_write_pmcs failed');
  const pmds = [0, 1, 16, 17, 18].map((reg_num) => createPfargPmd({ reg_num }));
  const ud = p.mm.mmap(pmds.length * abi.sizes.pmd);
  encodePfargVector('pmd', p.mm.dataView(ud, pmds.length * abi.sizes.pmd, true), 0, pmds, abi);
  if (k.runSync(t, sys.pfm_write_pmds(t, fd, ud, pmds.length)) !== 0)
    throw new Error('pfm_write_pmds failed');
  const load = p.mm.mmap(abi.sizes.load);
  p.mm.dataView(load, abi.sizes.load, true).setInt32(0, t.tid, true);
  if (k.runSync(t, sys.pfm_load_context(t, fd, load)) !== 0) throw new Error('pfm_load_context failed');
  if (k.runSync(t, sys.pfm_start(t, fd, 0)) !== 0) throw new Error('pfm_start failed');
  const workload = workloadFromEvents(s.pmu.model, 'bench', {
    UNHALTED_CORE_CYCLES: 1,
    INSTRUCTIONS_RETIRED: 0.5,
    UNHALTED_REFERENCE_CYCLES: 1,
  });
  // the counters really count: 1,000 cycles of UNHALTED_CORE_CYCLES on PMD0, 500 retired on PMD1
  s.runSync(t, workload, 1000);
  if (k.runSync(t, sys.pfm_read_pmds(t, fd, ud, pmds.length)) !== 0) throw new Error('pfm_read_pmds failed');
  const counted = decodePfargVector(
    'pmd',
    p.mm.dataView(ud, pmds.length * abi.sizes.pmd, false),
    0,
    pmds.length,
    abi,
  );
  const values = counted.map((d) => d.reg_value).join(',');
  if (values !== '1000,500,500,1000,1000') throw new Error(`counting bench: counters read ${values}`);
  return () => s.runSync(t, workload, 1000);
}

const r = bench('pfm_read_pmds, 4 PMDs, stack strategy, all checks on', readPmdsBench(), {
  iterations: 300_000,
});
const c = bench('counting, 1,000-cycle segment, Core, 5 counters decoded', countingBench(), {
  iterations: 300_000,
});
report('@pfmsim/perfmon-core benchmarks (simulated calls per host second)', [
  { ...r, target: '>= 1,500,000 calls/s', ok: r.opsPerSec >= 1_500_000 },
  { ...c, target: '>= 500,000 segments/s', ok: c.opsPerSec >= 500_000 },
]);

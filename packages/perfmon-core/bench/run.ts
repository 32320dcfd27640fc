// perfmon-core benchmarks: simulated system calls per host second (against the built dist/).
import { createStackStrategy } from '@pfmsim/buffer-strategies';
import {
  createPfargCtx,
  createPfargPmd,
  createSystem,
  encodePfarg,
  encodePfargVector,
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

const r = bench('pfm_read_pmds, 4 PMDs, stack strategy, all checks on', readPmdsBench(), {
  iterations: 300_000,
});
report('@pfmsim/perfmon-core benchmarks (simulated calls per host second)', [
  { ...r, target: '>= 1,500,000 calls/s', ok: r.opsPerSec >= 1_500_000 },
]);

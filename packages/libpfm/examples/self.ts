// examples_v2.x/self.c: count two events on the calling thread for ten (simulated) seconds.

import { PFM_PLM3 } from '@pfmsim/libpfm';
import { createSystem, decodePfargVector, workloadFromEvents } from '@pfmsim/perfmon-core';
import { load, prologue } from './common.js';

const sys = createSystem({ machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' } });
const t = sys.thread(sys.process({ uid: 1000 }), 'self');
const { gate, fd, upmds, out, names } = prologue(sys, t, ['CPU_CLK_UNHALTED', 'INST_RETIRED'], PFM_PLM3);
load(sys, gate, fd, t.tid);
gate.pfm_self_start(fd);
const loop = workloadFromEvents(sys.pmu.model, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.75 });
sys.runSync(t, loop, 10 * 3_000_000_000); // 10 s at 3 GHz
gate.pfm_self_stop(fd);
gate.pfm_read_pmds(fd, upmds, out.pmds.length);
const pmds = decodePfargVector(
  'pmd',
  gate.mem.view(upmds, out.pmds.length * sys.abi.sizes.pmd),
  0,
  out.pmds.length,
  sys.abi,
);
pmds.forEach((p, i) => {
  console.log(`PMD${String(p.reg_num).padEnd(3)} ${String(p.reg_value).padStart(20)} ${names[i]}`);
});
gate.close(fd);

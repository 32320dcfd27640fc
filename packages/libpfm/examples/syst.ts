// examples_v2.x/syst.c: system-wide counting on CPU 0, user and kernel levels, three rounds of
// start / run / stop / read with deltas.

import { PFM_PLM0, PFM_PLM3 } from '@pfmsim/libpfm';
import {
  createSystem,
  decodePfargVector,
  PFM_FL_SYSTEM_WIDE,
  workloadFromEvents,
} from '@pfmsim/perfmon-core';
import { load, prologue } from './common.js';

const sys = createSystem({ machine: { arch: 'x86_64', cost: 'core2-2007', pmu: 'intel-core' }, cpus: 2 });
const mon = sys.thread(sys.process({ uid: 0, name: 'syst' }), 'syst', undefined, 0);
const busy = sys.thread(sys.process({ uid: 1000, name: 'busy' }), 'busy', undefined, 0);
const other = sys.thread(sys.process({ uid: 1000, name: 'other' }), 'other', undefined, 1);
const events = ['UNHALTED_CORE_CYCLES', 'INSTRUCTIONS_RETIRED'];
const { gate, fd, upmds, out, names } = prologue(sys, mon, events, PFM_PLM0 | PFM_PLM3, PFM_FL_SYSTEM_WIDE);
load(sys, gate, fd, 0); // load_pid = the CPU
const work = workloadFromEvents(sys.pmu.model, 'busy', {
  UNHALTED_CORE_CYCLES: { user: 1 },
  INSTRUCTIONS_RETIRED: { user: 0.5, kernel: 0.25 },
});
const prev = new Map<number, bigint>();
for (let round = 0; round < 3; round++) {
  gate.pfm_start(fd, 0);
  sys.runSync(busy, work, 2_000_000 * (round + 1)); // counted: CPU 0
  sys.runSync(other, work, 5_000_000); // not counted: CPU 1
  gate.pfm_stop(fd);
  gate.pfm_read_pmds(fd, upmds, out.pmds.length);
  const pmds = decodePfargVector(
    'pmd',
    gate.mem.view(upmds, out.pmds.length * sys.abi.sizes.pmd),
    0,
    out.pmds.length,
    sys.abi,
  );
  pmds.forEach((p, i) => {
    const delta = p.reg_value - (prev.get(p.reg_num) ?? 0n);
    prev.set(p.reg_num, p.reg_value);
    console.log(
      `CPU0  PMD${String(p.reg_num).padEnd(3)} raw=${String(p.reg_value).padEnd(20)} delta=${String(delta).padEnd(20)} ${names[i]}`,
    );
  });
}
gate.close(fd);

// examples_v2.x/multiplex2.c: more events than counters, time-based multiplexing at 100 Hz,
// counts scaled by each set's active duration.
import { count } from '@pfmsim/libpfm';

const events = ['CPU_CLK_UNHALTED', 'INST_RETIRED', 'BR_INST_RETIRED', 'DATA_MEM_REFS'];
const r = count({
  machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
  events,
  workload: { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.75, BR_INST_RETIRED: 0.125, DATA_MEM_REFS: 0.4 },
  cycles: 3_000_000_000,
  switchNs: 10_000_000,
});
console.log('# 100.00Hz period = 10000000nsecs');
console.log('# using time-based multiplexing');
console.log(`# ${r.sets} sets`);
for (const e of r.events) {
  console.log(
    `  ${String(e.set).padStart(3, '0')} ${String(e.scaled).padStart(20)}  ${String(e.value).padStart(12)} ${e.name}`,
  );
}

// examples_v2.x/task.c: monitor another thread: attach while it is stopped, start, let it run
// to its exit, then read the final counts from the (now unloaded) context.

import { PFM_PLM3 } from '@pfmsim/libpfm';
import { createSystem, decodePfargVector, workloadFromEvents } from '@pfmsim/perfmon-core';
import { load, prologue } from './common.js';

const sys = createSystem({ machine: { arch: 'x86_64', cost: 'k8-2006', pmu: 'amd64-k8' } });
const parent = sys.thread(sys.process({ uid: 1000, name: 'task' }), 'parent');
const child = sys.thread(sys.process({ uid: 1000, name: 'child' }), 'child');
sys.ptraceAttach(parent, child); // PTRACE_TRACEME + exec: the child stops
const { gate, fd, upmds, out, names } = prologue(
  sys,
  parent,
  ['CPU_CLK_UNHALTED', 'RETIRED_INSTRUCTIONS'],
  PFM_PLM3,
);
load(sys, gate, fd, child.tid);
gate.pfm_start(fd, 0);
sys.ptraceDetach(child);
sys.runSync(
  child,
  workloadFromEvents(sys.pmu.model, 'child', { CPU_CLK_UNHALTED: 1, RETIRED_INSTRUCTIONS: 1.5 }),
  40_000_000,
);
sys.k.exitThread(child);
const r = gate.pfm_read_pmds(fd, upmds, out.pmds.length);
console.log(`read after exit: ${r.ok ? 'ok' : r.errno}`);
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

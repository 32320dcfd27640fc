// examples_v2.x/task_smpl.c: sample another thread with the default format. The parent sleeps in
// read() until a buffer-full notification, walks hdr_count entries (the fixed 40 bytes, then one
// value per sampled PMD), skips a buffer it has already seen (hdr_overflows and hdr_count as
// before), and restarts;
// PFM_MSG_END (the child exited) ends the loop, and the partial buffer is read once more.

import { type KGen, PROT_READ, type Thread } from '@pfmsim/kernel-sim';
import { PFM_PLM3 } from '@pfmsim/libpfm';
import {
  createPfargPmd,
  createSystem,
  decodeDflSmplEntry,
  decodeDflSmplHdr,
  encodePfargVector,
  PFM_FL_NOTIFY_BLOCK,
  PFM_MSG_END,
  PFM_MSG_OVFL,
  PFM_REGFL_OVFL_NOTIFY,
  workloadFromEvents,
} from '@pfmsim/perfmon-core';
import { load, prologue } from './common.js';

const SMPL_PERIOD = 2_000_000n;
const sys = createSystem({ machine: { arch: 'x86_64', cost: 'k8-2006', pmu: 'amd64-k8' } });
const parent = sys.thread(sys.process({ uid: 1000, name: 'task_smpl' }), 'parent');
const child = sys.thread(sys.process({ uid: 1000, name: 'child' }), 'child');
sys.ptraceAttach(parent, child);
const bufSize = 3 * 4096 + 512;
// NOTIFY_BLOCK (pfmon's --overflow-block): the child waits at each full buffer until the parent
// has read it and restarted. Without it the child runs on, masked, and its later samples are lost.
const { gate, fd, out } = prologue(
  sys,
  parent,
  ['CPU_CLK_UNHALTED', 'RETIRED_INSTRUCTIONS'],
  PFM_PLM3,
  PFM_FL_NOTIFY_BLOCK,
  bufSize,
);
// PMD0 samples every SMPL_PERIOD cycles and records PMD1 (instructions), which it also resets
const others = [1n << BigInt(out.pmds[1]!.regNum), 0n, 0n, 0n, 0n];
const neg = (1n << 64n) - SMPL_PERIOD;
const pd = [
  createPfargPmd({
    reg_num: out.pmds[0]!.regNum,
    reg_flags: PFM_REGFL_OVFL_NOTIFY,
    reg_value: neg,
    reg_long_reset: neg,
    reg_short_reset: neg,
    reg_smpl_pmds: others,
    reg_reset_pmds: others,
  }),
  createPfargPmd({ reg_num: out.pmds[1]!.regNum }),
];
const upd = gate.mem.alloc(2 * sys.abi.sizes.pmd);
encodePfargVector('pmd', gate.mem.view(upd, 2 * sys.abi.sizes.pmd, true), 0, pd, sys.abi);
gate.pfm_write_pmds(fd, upd, 2);
const map = gate.mmap(fd, bufSize, PROT_READ);
if (!map.ok) throw new Error(`cannot mmap sampling buffer: errno ${map.errno}`);
const hdr = map.value;
const version = decodeDflSmplHdr(gate.mem.view(hdr, 128), 0).hdr_version;
console.log(`sampling buffer v${version >>> 16}.${version & 0xffff}, ${bufSize} bytes`);
load(sys, gate, fd, child.tid);
gate.pfm_start(fd, 0);
sys.ptraceDetach(child);

let collected = 0;
let lastOverflow = -1;
let lastCount = 0;
const entrySize = 40 + 8;
function processSmplBuffer(): void {
  const h = decodeDflSmplHdr(gate.mem.view(hdr, 128), 0);
  // the same buffer again: neither hdr_overflows nor hdr_count moved
  if (Number(h.hdr_overflows) === lastOverflow && Number(h.hdr_count) === lastCount) {
    console.log(`skipping identical set of samples ${h.hdr_overflows} = ${lastOverflow}`);
    return;
  }
  lastOverflow = Number(h.hdr_overflows);
  lastCount = Number(h.hdr_count);
  for (let i = 0; i < Number(h.hdr_count); i++) {
    const v = gate.mem.view(hdr + 128 + i * entrySize, entrySize);
    const e = decodeDflSmplEntry(v, 0);
    console.log(
      `entry ${collected} PID:${e.tgid} TID:${e.pid} CPU:${e.cpu} LAST_VAL:${e.last_reset_val} IIP:0x${e.ip.toString(16).padStart(16, '0')} PMD${out.pmds[1]!.regNum}: ${v.getBigUint64(40, true)}`,
    );
    collected++;
  }
}

child.body = (function* (t: Thread): KGen<void> {
  yield* sys.run(
    t,
    workloadFromEvents(sys.pmu.model, 'child', { CPU_CLK_UNHALTED: 1, RETIRED_INSTRUCTIONS: 1.5 }),
    1_000_000_000,
  );
  sys.k.exitThread(t);
})(child);
const msg = gate.mem.alloc(64);
let overflows = 0;
parent.body = (function* (t: Thread): KGen<void> {
  for (;;) {
    const n = yield* sys.sys.read(t, fd, msg, 64);
    if (n !== 56) throw new Error(`cannot read overflow message: ${n}`);
    const type = gate.mem.view(msg, 4).getUint32(0, true);
    if (type === PFM_MSG_END) break;
    if (type !== PFM_MSG_OVFL) throw new Error(`unknown message type ${type}`);
    processSmplBuffer();
    overflows++;
    yield* sys.sys.pfm_restart(t, fd);
  }
})(parent);
sys.k.run({ kind: 'round-robin' });
processSmplBuffer(); // the partial buffer
console.log(`${collected} samples collected in ${overflows} buffer overflows`);
gate.munmap(hdr, bufSize);
gate.close(fd);

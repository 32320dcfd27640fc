// examples_v2.x/notify_self.c: overflow notification on the calling thread through SIGIO.
// Event 0 overflows every SMPL_PERIOD; its reg_reset_pmds also resets event 1's PMD.

import { PFM_PLM3 } from '@pfmsim/libpfm';
import {
  createPfargPmd,
  createSystem,
  encodePfargVector,
  PFM_MSG_OVFL,
  PFM_REGFL_OVFL_NOTIFY,
  workloadFromEvents,
} from '@pfmsim/perfmon-core';
import { load, prologue } from './common.js';

const SMPL_PERIOD = 1_000_000_000n;
const sys = createSystem({ machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' } });
const t = sys.thread(sys.process({ uid: 1000 }), 'notify_self');
const { gate, fd, out, names } = prologue(sys, t, ['CPU_CLK_UNHALTED', 'INST_RETIRED'], PFM_PLM3);
const neg = (1n << 64n) - SMPL_PERIOD;
const pd = [
  createPfargPmd({
    reg_num: out.pmds[0]!.regNum,
    reg_flags: PFM_REGFL_OVFL_NOTIFY,
    reg_value: neg,
    reg_long_reset: neg,
    reg_short_reset: neg,
    reg_reset_pmds: [1n << BigInt(out.pmds[1]!.regNum), 0n, 0n, 0n, 0n],
  }),
  createPfargPmd({ reg_num: out.pmds[1]!.regNum }),
];
const upd = gate.mem.alloc(2 * sys.abi.sizes.pmd);
encodePfargVector('pmd', gate.mem.view(upd, 2 * sys.abi.sizes.pmd, true), 0, pd, sys.abi);
gate.pfm_write_pmds(fd, upd, 2);
load(sys, gate, fd, t.tid);
const msg = gate.mem.alloc(64);
let notifications = 0;
sys.sys.setAsync(t, fd, () => {
  const r = gate.read(fd, msg, 64);
  const v = gate.mem.view(msg, 56);
  if (!r.ok || v.getUint32(0, true) !== PFM_MSG_OVFL) return;
  notifications++;
  console.log(
    `Notification ${notifications}: ${v.getUint32(8, true)} ${names[0]} ip=0x${v.getUint32(48, true).toString(16)}`,
  );
  if (notifications < 3) gate.pfm_restart(fd); // stops after 3
});
gate.pfm_self_start(fd);
sys.runSync(
  t,
  workloadFromEvents(sys.pmu.model, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.75 }),
  5 * 1_000_000_000,
);
console.log(`${notifications} notifications, context ${sys.contexts[0]!.state === 3 ? 'masked' : 'loaded'}`);
gate.close(fd);

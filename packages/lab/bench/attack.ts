// The memory-pinning attack at kernel scale (issue 16): `runAttack` with a million contexts
// under ctx-cache-bounded, timed, with the host memory it takes. Run alone (`pnpm bench`
// runs one package at a time): the peak RSS is the process's own.
//   node --import tsx bench/attack.ts [contexts] [strategy]
import { getMachine, runAttack } from '@pfmsim/lab';
import { machineLine } from '../../../scripts/bench.js';

const contexts = Number(process.argv[2] ?? 1_000_000);
const strategy = process.argv[3] ?? 'ctx-cache-bounded';
const MiB = 2 ** 20;

const rssBefore = process.memoryUsage().rss;
const start = process.hrtime.bigint();
const r = runAttack({ machine: getMachine('p4-2006'), strategy, contexts });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const peak = process.resourceUsage().maxRSS * 1024; // KiB on Linux
const perContext = (peak - rssBefore) / contexts;

const opened = r.users.reduce((a, u) => a + u.opened, 0);
const lines = [
  `@pfmsim/lab attack benchmark (runAttack, p4-2006, ${strategy})`,
  machineLine(),
  `  contexts opened      ${opened.toLocaleString('en-US')} of ${contexts.toLocaleString('en-US')}`,
  `  pinned after         ${r.pinnedBytesAfter.toLocaleString('en-US')} B (${r.pinnedPagesAfter} pages)`,
  `  wall time            ${seconds.toFixed(1)} s  target <= 60 s: ${seconds <= 60 ? 'met' : 'MISSED'}`,
  `  peak host RSS        ${(peak / MiB).toFixed(0)} MiB  target <= 2048 MiB: ${peak <= 2048 * MiB ? 'met' : 'MISSED'}`,
  `  host bytes/context   ${perContext.toFixed(0)} (peak RSS minus RSS before the attack, per context)`,
  ...r.notes.map((n) => `  note: ${n}`),
];
process.stdout.write(`${lines.join('\n')}\n`);

// Every figure of the README's RESULTS section, from real simulator runs:
//
//   pnpm --filter @pfmsim/buffer-strategies results
//
// (The 100,000 random schedules per strategy are scripts/explore-random.ts.)
import { ARCH_IDS, explore, type KGen, type Thread } from '@pfmsim/kernel-sim';
import { StrategyLab } from '../src/lab.js';
import { cyclesPerCall } from '../src/measure.js';
import { allStrategies, createStrategy, isBrokenStrategy, STRATEGY_NAMES } from '../src/registry.js';
import { contextFloodAttack, sharedContextScenario } from '../src/scenario.js';
import type { ArgBufferStrategy } from '../src/spec.js';
import { stackReport } from '../src/stack-report.js';

const out = (line = '') => process.stdout.write(`${line}\n`);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

// --- 1. fidelity ----------------------------------------------------------------------------
out('## fidelity: pfm_read_pmds, 4 pfarg_pmd, one thread, steady state');
const eras = [
  ['p4-2006', 'i386'],
  ['core2-2007', 'x86_64'],
  ['k8-2006', 'x86_64'],
  ['modern-x86_64', 'x86_64-16k'],
  ['modern-x86_64-mitigated', 'x86_64-16k'],
] as const;
for (const [cost, arch] of eras) {
  for (const reads of ['saved', 'live'] as const) {
    const live = reads === 'live' ? { regCycles: liveReg(cost) } : {};
    const s = cyclesPerCall(createStrategy('stack'), arch, cost, 4, live);
    const k = cyclesPerCall(createStrategy('kmalloc'), arch, cost, 4, live);
    const c = cyclesPerCall(createStrategy('ctx-cache'), arch, cost, 4, live);
    out(
      `${cost.padEnd(24)} ${reads.padEnd(5)} stack ${s}  kmalloc ${k}  ctx-cache ${c}  saving S/K ${pct((k - s) / k)}  throughput ${pct((k - s) / s)}  C/K ${pct((k - c) / k)}`,
    );
  }
}

function liveReg(cost: string): number {
  return cost === 'p4-2006' ? 250 : 150;
}

// --- 2. the seed's "over 20 %" ----------------------------------------------------------------
out();
out('## the seed\'s "over 20 %" (p4-2006, i386, 4 pfarg_pmd, mean of 20,000 calls)');
const variants: [string, Parameters<typeof cyclesPerCall>[4]][] = [
  ['defaults, saved reads (hot allocator)', {}],
  ['defaults, live reads', { regCycles: 250 }],
  ['allocColdProbability 0.10', { costOverrides: { allocColdProbability: 0.1 } }],
  ['allocColdProbability 0.12', { costOverrides: { allocColdProbability: 0.12 } }],
  ['allocColdProbability 0.04 (throughput reading)', { costOverrides: { allocColdProbability: 0.04 } }],
  ['allocColdProbability 0.30, live reads', { costOverrides: { allocColdProbability: 0.3 }, regCycles: 250 }],
  ['always slow: kmallocFast 625, kfreeFast 750', { costOverrides: { kmallocFast: 625, kfreeFast: 750 } }],
  ['leaner path: copyPerByte 0.1, C_reg 25', { costOverrides: { copyPerByte: 0.1 }, regCycles: 25 }],
];
for (const [label, opts] of variants) {
  const o = { ...opts, calls: 20_000 };
  const s = cyclesPerCall(createStrategy('stack'), 'i386', 'p4-2006', 4, o);
  const k = cyclesPerCall(createStrategy('kmalloc'), 'i386', 'p4-2006', 4, o);
  const time = (k - s) / k;
  const thr = (k - s) / s;
  out(
    `${label.padEnd(48)} stack ${s.toFixed(0)}  kmalloc ${k.toFixed(0)}  time saved ${pct(time)}${time >= 0.2 ? ' (>= 20)' : ''}  calls/s gained ${pct(thr)}${thr >= 0.2 ? ' (>= 20)' : ''}`,
  );
}
for (const [cost, arch] of eras.slice(1, 3)) {
  for (const p of [0.1, 0.2]) {
    const o = { costOverrides: { allocColdProbability: p }, calls: 20_000 };
    const s = cyclesPerCall(createStrategy('stack'), arch, cost, 4, o);
    const k = cyclesPerCall(createStrategy('kmalloc'), arch, cost, 4, o);
    out(
      `${`${cost} allocColdProbability ${p}`.padEnd(48)} stack ${s.toFixed(0)}  kmalloc ${k.toFixed(0)}  time saved ${pct((k - s) / k)}`,
    );
  }
}

// --- 3. DoS --------------------------------------------------------------------------------
out();
out('## DoS: one user, 1024 contexts, one 23-pfarg_pmd (4048 B) call each, i386 (bytes charged to the user)');
for (const s of allStrategies()) {
  const r = contextFloodAttack(s);
  out(`${s.name.padEnd(20)} after the calls ${String(r.pinned).padStart(8)}   after close ${r.afterClose}`);
}
for (const name of ['ctx-cache-bounded', 'hybrid'] as const) {
  const r = contextFloodAttack(createStrategy(name, { userBudget: 1 << 20, globalBudget: 32 << 10 }));
  out(
    `${`${name} (global 32 KiB)`.padEnd(20)} after the calls ${String(r.pinned).padStart(8)}   after close ${r.afterClose}`,
  );
}
out();
out(
  '## thread flood: one user, 256 threads, one context each, one 23-pfarg_pmd call each (bytes charged after the calls)',
);
for (const name of ['ctx-cache', 'ctx-cache-bounded', 'task-cache', 'hybrid'] as const) {
  const lab = new StrategyLab({
    arch: 'i386',
    cost: 'p4-2006',
    seed: 1,
    strategy: createStrategy(name),
    arenaBytes: 16 << 20,
  });
  const u = lab.process.mm.mmap(23 * 176);
  for (let i = 0; i < 256; i++) {
    const t = lab.thread(`t${i}`);
    const ctx = lab.openContext(t);
    lab.k.runSync(t, lab.call(t, ctx, 'pmd', 23, u));
  }
  out(
    `${name.padEnd(20)} ${lab.pinnedBytes()} (the 256 threads hold ${256 * lab.k.arch.threadSize} B of kernel stacks anyway)`,
  );
}

// --- 4. workloads ---------------------------------------------------------------------------
out();
out('## workloads (i386 p4-2006 | x86_64-16k modern-x86_64): mean cycles per call, bytes charged after');
function tool(strategy: ArgBufferStrategy, arch: string, cost: string) {
  // a pfmon-like tool: one thread, 16 contexts (one per monitored CPU/thread), reads 8 PMDs of each, 20 rounds
  const lab = new StrategyLab({ arch, cost, seed: 1, strategy, arenaBytes: 4 << 20 });
  const t = lab.thread('pfmon');
  const u = lab.process.mm.mmap(8 * 176);
  const ctxs = Array.from({ length: 16 }, () => lab.openContext(t));
  for (const ctx of ctxs) lab.k.runSync(t, lab.call(t, ctx, 'pmd', 8, u));
  const before = t.clock.total;
  for (let r = 0; r < 20; r++) for (const ctx of ctxs) lab.k.runSync(t, lab.call(t, ctx, 'pmd', 8, u));
  return { cycles: (t.clock.total - before) / (20 * 16), pinned: lab.pinnedBytes() };
}
function shared(strategy: ArgBufferStrategy, arch: string, cost: string) {
  // self-monitoring threads: two threads on one fd, 8 PMDs, round-robin at every preemption
  // point, 50 calls each, first calls included
  const lab = new StrategyLab({ arch, cost, seed: 1, strategy, arenaBytes: 4 << 20, cpus: 2 });
  let ctx: ReturnType<typeof lab.openContext> | null = null;
  const ts: Thread[] = [];
  for (const name of ['A', 'B']) {
    const u = lab.process.mm.mmap(8 * 176);
    ts.push(
      lab.thread(name, function* (t: Thread): KGen<void> {
        for (let i = 0; i < 50; i++) yield* lab.call(t, ctx!, 'pmd', 8, u);
      }),
    );
  }
  ctx = lab.openContext(ts[0]!);
  const before = ts[0]!.clock.total + ts[1]!.clock.total;
  lab.k.run({ kind: 'round-robin' });
  const total = ts[0]!.clock.total + ts[1]!.clock.total - before;
  return { cycles: total / 100, pinned: lab.pinnedBytes(), bugs: lab.k.bugs.length };
}
function mix(strategy: ArgBufferStrategy, arch: string, cost: string) {
  // a size mix: pfarg_pmd counts 1 (10 %), 2 (30 %), 4 (40 %), 8 (15 %), 16 (5 %), one context
  const lab = new StrategyLab({ arch, cost, seed: 1, strategy, arenaBytes: 4 << 20 });
  const t = lab.thread('app');
  const u = lab.process.mm.mmap(16 * 176);
  const ctx = lab.openContext(t);
  const cycle = [1, 2, 2, 2, 4, 4, 4, 4, 8, 8, 8, 16, 1, 2, 2, 2, 4, 4, 4, 4];
  for (const n of cycle) lab.k.runSync(t, lab.call(t, ctx, 'pmd', n, u));
  const before = t.clock.total;
  for (let r = 0; r < 10; r++) for (const n of cycle) lab.k.runSync(t, lab.call(t, ctx, 'pmd', n, u));
  return { cycles: (t.clock.total - before) / (10 * cycle.length), pinned: lab.pinnedBytes() };
}
out(
  `${'strategy'.padEnd(20)} ${'tool 16 ctx x 8 pmd'.padEnd(30)} ${'2 threads, 1 fd, 8 pmd'.padEnd(30)} size mix`,
);
for (const name of STRATEGY_NAMES) {
  if (isBrokenStrategy(name)) continue;
  const cells = [tool, shared, mix].map((f) => {
    const a = f(createStrategy(name), 'i386', 'p4-2006');
    const b = f(createStrategy(name), 'x86_64-16k', 'modern-x86_64');
    return `${a.cycles.toFixed(0)} | ${b.cycles.toFixed(0)} (${a.pinned} B)`;
  });
  out(`${name.padEnd(20)} ${cells[0]!.padEnd(30)} ${cells[1]!.padEnd(30)} ${cells[2]}`);
}

// --- 5. races -------------------------------------------------------------------------------
out();
out(
  '## two threads on one fd (A: 5 then 2 pfarg_pmd, B: 6 then 5), i386 p4-2006, 2 CPUs, exhaustive up to 3 preemptions',
);
for (const name of STRATEGY_NAMES) {
  const sc = sharedContextScenario({ strategy: name });
  const r = explore({ build: sc.build, check: sc.check, mode: 'exhaustive', maxPreemptions: 3 });
  const kinds = new Map<string, string>();
  for (const f of r.findings) {
    for (const b of f.bugs) if (!kinds.has(b.kind)) kinds.set(b.kind, f.replay);
    for (const m of f.failures) {
      const key = m.includes('came back') ? 'wrong arguments returned' : m.split(':')[0]!;
      if (!kinds.has(key)) kinds.set(key, f.replay);
    }
  }
  const found = [...kinds].map(([k, replay]) => `${k} (first replay ${replay})`).join(', ');
  out(
    `${name.padEnd(20)} ${r.schedules} schedules${r.complete ? ' (complete)' : ''}, ${r.findings.length} with findings${found ? `: ${found}` : ''}`,
  );
}

// --- 6. stack -------------------------------------------------------------------------------
out();
out('## stack: frame of the on-stack array, measured depth (entry path + frame), margin to the usable stack');
const stackCases: [string, ArgBufferStrategy][] = [
  ['stack(8)', createStrategy('stack', { threshold: 8 })],
  ['stack', createStrategy('stack')],
  ['hybrid', createStrategy('hybrid')],
];
for (const [label, s] of stackCases) {
  for (const arch of label === 'stack(8)' ? (['i386', 'i386-4k'] as const) : ARCH_IDS) {
    const r = stackReport(s, arch);
    const cells = r.rows
      .filter((row) => row.frameBytes > 0)
      .map(
        (row) =>
          `${row.kind} ${row.elements}x${row.elemSize}=${row.frameBytes} B${row.frameWarnExceeded ? ` > FRAME_WARN ${r.frameWarn}` : ''}, depth ${row.measuredDepth}, margin ${row.margin}`,
      );
    out(`${label.padEnd(9)} ${arch.padEnd(11)} usable ${String(r.usable).padStart(5)}: ${cells.join('; ')}`);
  }
}

import { buildRaceKernel, getMachine } from '@pfmsim/lab';
import { Footprint, dependent } from '@pfmsim/kernel-sim';
const strategy = process.argv[2] ?? 'ctx-cache';
const w = buildRaceKernel({ machine: getMachine('p4-2006'), strategy, threads: 3, calls: 2 } as never, 1);
const steps: { t: number; fp: Footprint }[] = [];
const sched = {
  wantsFootprints: true,
  newExecution() {},
  nextThread(p: { candidates: readonly number[]; previous: number }) { return p.candidates.includes(p.previous) ? p.previous : p.candidates[0]!; },
  stepped(t: number, _c: readonly number[], fp: Footprint) { steps.push({ t, fp }); },
};
w.kernel.run(sched as never);
const perThread = new Map<number, number>();
for (const s of steps) perThread.set(s.t, (perThread.get(s.t) ?? 0) + 1);
console.log('steps', steps.length, [...perThread]);
const key = (o: unknown) => (typeof o === 'string' ? o : ((o as { name?: string; constructor: { name: string } }).name ?? (o as object).constructor.name));
const counts = new Map<string, number>();
let pairs = 0;
for (let i = 0; i < steps.length; i++) for (let j = i + 1; j < steps.length; j++) {
  const a = steps[i]!, b = steps[j]!;
  if (a.t === b.t || !dependent(a.fp, b.fp)) continue;
  pairs++;
  const why: string[] = [];
  for (const [o, wr] of a.fp.objects) { const o2 = b.fp.objects.get(o); if (o2 !== undefined && (wr || o2)) why.push(key(o)); }
  const x = a.fp.ranges, y = b.fp.ranges;
  for (let p = 0; p < x.length; p += 3) for (let q = 0; q < y.length; q += 3) if ((x[p + 2] === 1 || y[q + 2] === 1) && x[p]! < y[q + 1]! && y[q]! < x[p + 1]!) why.push(`mem@${Math.max(x[p]!, y[q]!)}`);
  for (const k of new Set(why)) counts.set(k, (counts.get(k) ?? 0) + 1);
}
console.log('dependent cross-thread pairs', pairs);
console.log([...counts].sort((a, b) => b[1] - a[1]).slice(0, 25));
for (const [i, s] of steps.entries()) {
  const r = s.fp.ranges; const parts: string[] = [];
  for (let p = 0; p < r.length; p += 3) if ((r[p]! <= 19968 && 19968 < r[p + 1]!) || (r[p]! <= 48128 && 48128 < r[p + 1]!) || r[p]! >= 48128 && r[p]! < 48128+4096) parts.push(`${r[p]}-${r[p + 1]}${r[p + 2] ? 'W' : 'R'}`);
  console.log(i, 'T' + s.t, [...s.fp.objects.keys()].map(key).join(','), parts.join(' '));
}

import type { StackReport } from '@pfmsim/buffer-strategies';
import type { AttackSample } from '@pfmsim/lab';
import { bytes, cycles, pct } from '../format.js';
import { VERSION } from '../version.js';
import { budgetPanels, esc, lineChart, PALETTE, stackedBars } from './svg.js';

/** The parts of a `compare --json` document the report draws. */
export interface CompareDoc {
  readonly pfmsimVersion?: string;
  readonly machine: string;
  readonly machineDescription?: string;
  readonly arch: string;
  readonly cost: string;
  readonly pmu: string;
  readonly seed: number;
  readonly abi: string;
  readonly threads: number;
  readonly counts: readonly number[];
  readonly attackContexts?: number;
  readonly best: string;
  readonly results: readonly {
    readonly syscall: string;
    readonly count: number;
    readonly strategy: string;
    readonly cyclesPerCall: number | null;
    readonly breakdown: Readonly<Record<string, number>>;
    readonly stackBytes: number;
  }[];
  readonly strategies: readonly {
    readonly name: string;
    readonly cyclesAt4: number | null;
    readonly cyclesAt64: number | null;
    readonly savingAt4: number | null;
    readonly savingAt64: number | null;
    readonly stackFrameBytes: number;
    readonly stackDepth: number;
    readonly pinnedBytesAfterAttack: number;
    readonly raceFree: boolean;
    readonly kernelBugs: readonly string[];
    readonly verdict: string;
  }[];
}

export interface AttackCurve {
  readonly strategy: string;
  readonly samples: readonly AttackSample[];
  /** "file" (an attack document given) or "computed" (run by the report). */
  readonly from: string;
}

export interface ReportSection {
  readonly doc: CompareDoc;
  readonly source: string;
  readonly attacks: readonly AttackCurve[];
}

/** A `pfmsim record --json` document, as the report draws it. */
export interface RecordProfile {
  readonly source: string;
  readonly machine: string;
  readonly event: string;
  readonly period: number;
  readonly samples: number;
  /** null with random periods (`--random-mask`): no overflow count to compare against. */
  readonly lost: number | null;
  readonly overheadCyclesPerSample: number;
  readonly functions: readonly { readonly name: string; readonly samples: number; readonly share: number }[];
}

export interface ReportInput {
  readonly sections: readonly ReportSection[];
  /** Stack report per strategy per arch. */
  readonly stacks: readonly StackReport[];
  readonly notes: readonly string[];
  /** Sampling profiles (`pfmsim record --json`), each its own chart. */
  readonly profiles?: readonly RecordProfile[];
}

/** One chart per sampling profile: samples by function, the share as a label. */
function profileSection(profiles: readonly RecordProfile[]): string {
  if (profiles.length === 0) return '';
  const charts = profiles.map((p, i) =>
    stackedBars({
      id: `profile-${i}`,
      title: `Samples by function: ${p.event} every ${p.period} on ${p.machine} (${p.source})`,
      xLabel: 'samples',
      rows: p.functions.map((f) => ({
        name: `${f.name} ${(f.share * 100).toFixed(1)}%`,
        values: { samples: f.samples },
      })),
      categories: ['samples'],
    }),
  );
  const notes = profiles
    .map(
      (p) =>
        `${esc(p.source)}: ${p.samples} samples, ${p.lost === null ? 'random periods' : `${p.lost} lost`}, ${cycles(p.overheadCyclesPerSample)} kernel cycles per sample`,
    )
    .join(' · ');
  return `<section id="profiles"><h2>Sampling profiles (perfmon2's default format)</h2>${charts.join('')}<p class="note">${notes}</p></section>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#1b1b1b;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid #ddd;padding-bottom:4px} h3{font-size:15px;margin:18px 0 4px}
.meta{color:#555;margin:0 0 12px} figure.chart{margin:12px 0 20px} figcaption{font-weight:600;margin-bottom:4px}
svg{max-width:100%;height:auto;background:#fff} .grid{stroke:#e6e6e6;stroke-width:1} .axis{stroke:#444;stroke-width:1}
.tick{font-size:11px;fill:#444} .label{font-size:12px;fill:#222} .legend{font-size:11px;fill:#222} .budget{stroke:#000;stroke-width:1.5;stroke-dasharray:4 3}
table{border-collapse:collapse;font-size:13px;margin:8px 0} th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top} td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.unsafe td{background:#fdecea} tr.best td{background:#e8f5e9} .swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
.note{color:#555;font-size:12px}
`;

function decisionTable(d: CompareDoc): string {
  const rows = d.strategies
    .map((s) => {
      const cls = !s.raceFree ? 'unsafe' : s.name === d.best ? 'best' : '';
      const num = (v: number | null) => (v === null ? '-' : cycles(v));
      const sav = (v: number | null) => (s.name === 'kmalloc' || v === null ? '-' : pct(-v));
      return `<tr class="${cls}"><td>${esc(s.name)}</td><td class="n">${num(s.cyclesAt4)}</td><td class="n">${sav(s.savingAt4)}</td><td class="n">${num(s.cyclesAt64)}</td><td class="n">${sav(s.savingAt64)}</td><td class="n">${s.stackFrameBytes}/${s.stackDepth}</td><td class="n">${esc(bytes(s.pinnedBytesAfterAttack))}</td><td>${esc(s.raceFree ? 'none' : s.kernelBugs.join(', '))}</td><td>${esc(s.verdict)}</td></tr>`;
    })
    .join('');
  return `<table class="decision"><thead><tr><th>strategy</th><th>cycles @4</th><th>vs kmalloc</th><th>cycles @64</th><th>vs kmalloc</th><th>stack B (frame/depth)</th><th>pinned after attack</th><th>races / kernel bugs</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function section(s: ReportSection, index: number): string {
  const d = s.doc;
  const names = d.strategies.map((x) => x.name);
  const color = (n: string) => PALETTE[Math.max(0, names.indexOf(n)) % PALETTE.length]!;
  const syscalls = [...new Set(d.results.map((r) => r.syscall))];
  const costCharts = syscalls
    .map((sc) =>
      lineChart({
        id: `cost-${index}-${sc}`,
        title: `Cycles per call vs registers: ${sc}`,
        xLabel: 'registers in the vector (log scale)',
        yLabel: 'cycles per call',
        logX: true,
        series: names.map((n) => ({
          name: n,
          points: d.results
            .filter((r) => r.strategy === n && r.syscall === sc && r.cyclesPerCall !== null)
            .map((r) => [r.count, r.cyclesPerCall as number] as const),
        })),
      }),
    )
    .join('');
  const kmallocRead = (n: number) =>
    d.results.find((r) => r.strategy === 'kmalloc' && r.syscall === 'pfm_read_pmds' && r.count === n)
      ?.cyclesPerCall ?? null;
  const relative = lineChart({
    id: `relative-${index}`,
    title: 'Change against kmalloc per register count: pfm_read_pmds (below 0 = faster)',
    xLabel: 'registers in the vector (log scale)',
    yLabel: 'cycles vs kmalloc (%)',
    logX: true,
    signedY: true,
    series: names
      .filter((n) => n !== 'kmalloc')
      .map((n) => ({
        name: n,
        color: color(n),
        points: d.results
          .filter((r) => r.strategy === n && r.syscall === 'pfm_read_pmds' && r.cyclesPerCall !== null)
          .flatMap((r) => {
            const k = kmallocRead(r.count);
            return k ? [[r.count, (((r.cyclesPerCall as number) - k) / k) * 100] as const] : [];
          }),
      })),
  });
  const at4 = d.results.filter((r) => r.syscall === 'pfm_read_pmds' && r.count === 4);
  const cats = [
    ...new Set(
      at4.flatMap((r) =>
        Object.entries(r.breakdown)
          .filter(([, v]) => v > 0)
          .map(([k]) => k),
      ),
    ),
  ];
  const breakdown =
    at4.length > 0
      ? stackedBars({
          id: `breakdown-${index}`,
          title: 'Cycle breakdown of pfm_read_pmds at 4 registers',
          xLabel: 'cycles per call',
          categories: cats,
          rows: names.map((n) => ({ name: n, values: at4.find((r) => r.strategy === n)?.breakdown ?? {} })),
        })
      : '';
  const pinned = lineChart({
    id: `pinned-${index}`,
    title: `Pinned argument-buffer memory vs contexts opened (the memory-pinning attack)`,
    xLabel: 'contexts opened by one user',
    yLabel: 'pinned memory',
    formatY: (v) => bytes(v),
    bytesY: true,
    series: s.attacks.map((a) => ({
      name: `${a.strategy} (${bytes(a.samples[a.samples.length - 1]?.pinnedBytes ?? 0)})`,
      color: color(a.strategy),
      points: a.samples.map((p) => [p.contexts, p.pinnedBytes] as const),
    })),
  });
  const computed = s.attacks.some((a) => a.from === 'computed');
  return `<section class="compare" id="section-${index}">
<h2>${esc(d.machine)} · abi ${esc(d.abi)} · seed ${d.seed} · threads ${d.threads}</h2>
<p class="meta">${esc(d.machineDescription ?? '')} (arch ${esc(d.arch)}, cost ${esc(d.cost)}, pmu ${esc(d.pmu)}) · from ${esc(s.source)} · made by pfmsim ${esc(d.pfmsimVersion ?? '?')}</p>
<h3>Decision table</h3>
${decisionTable(d)}
<p class="note">best: <b>${esc(d.best)}</b>, the cheapest strategy that is race-free, within CONFIG_FRAME_WARN and keeps pinned memory bounded.</p>
${costCharts}
${relative}
${breakdown}
${pinned}
${computed ? `<p class="note">Attack curves marked as computed were run by <code>pfmsim report</code> on ${esc(d.machine)} (abi ${esc(d.abi)}, seed ${d.seed}, ${d.attackContexts ?? 1024} contexts); pass <code>pfmsim attack --json</code> files to use your own.</p>` : ''}
</section>`;
}

function stackSection(stacks: readonly StackReport[]): string {
  if (stacks.length === 0) return '';
  const strategies = [...new Set(stacks.map((s) => s.strategy))];
  const archs = [...new Set(stacks.map((s) => s.arch))];
  const chart = budgetPanels({
    id: 'stack-budget',
    title: "Deepest kernel stack use per strategy against each arch's usable stack (dashed line)",
    unit: 'B',
    groups: archs.map((a) => {
      const rs = stacks.filter((s) => s.arch === a);
      // Stryker disable next-line OptionalChaining: rs is never empty, each arch comes from one of the stack reports
      const usable = rs[0]?.usable ?? 0;
      return {
        // Stryker disable next-line OptionalChaining: rs is never empty, each arch comes from one of the stack reports
        name: `${a} (THREAD_SIZE ${rs[0]?.threadSize ?? '?'} B)`,
        budget: usable,
        budgetLabel: `usable ${usable} B`,
        bars: strategies.map((n) => {
          const r = rs.find((x) => x.strategy === n);
          const depth = r ? Math.max(...r.rows.map((row) => row.measuredDepth)) : 0;
          return {
            name: n,
            value: depth,
            over: r ? r.rows.some((row) => row.overflow || row.frameWarnExceeded) : false,
          };
        }),
      };
    }),
  });
  const legend = strategies
    .map((n, i) => `<span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${esc(n)}`)
    .join(' ');
  // Stryker disable next-line OptionalChaining: stacks is not empty here (returned above when it is)
  return `<section id="stack"><h2>Stack use against each arch's budget</h2><p class="note">${legend} · a black outline: over CONFIG_FRAME_WARN or a stack overflow</p>${chart}<p class="note">${esc(stacks[0]?.assumption ?? '')}</p></section>`;
}

export function renderReport(input: ReportInput): string {
  const machines = input.sections.map((s) => s.doc.machine).join(', ');
  const seeds = [...new Set(input.sections.map((s) => s.doc.seed))].join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pfmsim ${esc(VERSION)}">
<title>pfmsim report: ${esc(machines)}</title><style>${CSS}</style></head>
<body>
<h1>pfmsim report</h1>
<p class="meta">How should perfmon2's vector arguments reach kernel memory? · machine ${esc(machines)} · seed ${esc(seeds)} · pfmsim ${esc(VERSION)}</p>
${input.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')}
${input.sections.map((s, i) => section(s, i)).join('\n')}
${stackSection(input.stacks)}${profileSection(input.profiles ?? [])}
</body></html>
`;
}

import type { StackReport } from '@pfmsim/buffer-strategies';
import type { AttackSample, RaceTrace } from '@pfmsim/lab';
import { bytes, cycles, pct } from '../format.js';
import { VERSION } from '../version.js';
import { seriesCss, seriesStyle } from './palette.js';
import { budgetPanels, esc, lineChart, type Series, stackedBars } from './svg.js';
import { swimlane } from './swimlane.js';

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
    /** After the thread attack (older documents have none). */
    readonly pinnedBytesAfterThreadAttack?: number;
    readonly raceFree: boolean;
    readonly kernelBugs: readonly string[];
    readonly verdict: string;
    /** The first race finding's schedule (null when race-free; older documents have none). */
    readonly raceReplay?: string | null;
  }[];
  /** How compare searched for races (older documents have none). */
  readonly race?: { readonly threads: number };
}

export interface AttackCurve {
  readonly strategy: string;
  readonly samples: readonly AttackSample[];
  /** "file" (an attack document given) or "computed" (run by the report). */
  readonly from: string;
}

/** A race finding of a compare result, replayed step by step for its swimlane picture. */
export interface RacePicture {
  readonly strategy: string;
  readonly trace: RaceTrace;
  /** The command that replays it. */
  readonly command: string;
}

export interface ReportSection {
  readonly doc: CompareDoc;
  readonly source: string;
  readonly attacks: readonly AttackCurve[];
  /** One per strategy whose race search found something (none for older documents). */
  readonly races?: readonly RacePicture[];
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

/**
 * Light and dark schemes through custom properties; below 640 px the decision table becomes one
 * card per strategy (each cell labelled), and long words wrap, so nothing scrolls sideways.
 */
function css(): string {
  return `
:root{--bg:#fff;--fg:#1b1b1b;--muted:#555;--rule:#ddd;--grid:#e6e6e6;--axis:#444;--unsafe:#fdecea;--best:#e8f5e9;--box:#f4f6f8;--alert:#c0261b;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#121417;--fg:#e6e6e6;--muted:#a8a8a8;--rule:#3a3d42;--grid:#2c2f33;--axis:#b0b0b0;--unsafe:#4a1f1c;--best:#1d3a22;--box:#1d2126;--alert:#ff7b6e}}
html{background:var(--bg)} body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:var(--fg);background:var(--bg);padding:0 16px;overflow-wrap:anywhere}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid var(--rule);padding-bottom:4px} h3{font-size:15px;margin:18px 0 4px}
.meta{color:var(--muted);margin:0 0 12px} figure.chart{margin:12px 0 20px} figcaption{font-weight:600;margin-bottom:4px}
svg{max-width:100%;height:auto;background:var(--bg)} .grid{stroke:var(--grid);stroke-width:1} .axis{stroke:var(--axis);stroke-width:1}
.tick,.value{font-size:11px;fill:var(--muted)} .label{font-size:12px;fill:var(--fg)} .legend{font-size:11px;fill:var(--fg)} .end-label{font-size:11px;font-weight:600} .leader{stroke-width:0.75;opacity:.6}
.budget{stroke:var(--fg);stroke-width:1.5;stroke-dasharray:4 3} .over{stroke:var(--fg);stroke-width:2}
table{border-collapse:collapse;font-size:13px;margin:8px 0} caption{text-align:left;color:var(--muted);font-size:12px;padding:2px 0}
th,td{border:1px solid var(--rule);padding:3px 7px;text-align:left;vertical-align:top} td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.unsafe td{background:var(--unsafe)} tr.best td{background:var(--best)} .swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;background:currentColor}
.note{color:var(--muted);font-size:12px} code{overflow-wrap:anywhere}
.step{fill:var(--box);stroke:var(--rule)} .racy{stroke:var(--alert);stroke-width:2} .line{font-size:11px;fill:var(--fg)} .alert{font-size:11px;font-weight:600;fill:var(--alert)}
.race-link{stroke:var(--alert);stroke-width:1.5;stroke-dasharray:5 3} ul.races{font-size:12px;margin:4px 0;padding-left:18px}
@media (max-width:640px){body{margin:12px auto;padding:0 10px}
table.decision,table.decision tbody,table.decision tr,table.decision td{display:block;width:auto}
table.decision thead{display:none} table.decision caption{display:block} table.decision tr{margin:0 0 10px;border:1px solid var(--rule)}
table.decision td{border:0;border-bottom:1px solid var(--rule)} table.decision td.n{text-align:left}
table.decision td::before{content:attr(data-label) ": ";font-weight:600}}
${seriesCss()}
`;
}

/** The terminal's decision table: the same columns, by threads included. */
function decisionTable(d: CompareDoc): string {
  const headers = [
    'strategy',
    'cycles @4',
    'vs kmalloc @4',
    'cycles @64',
    'vs kmalloc @64',
    'stack B (frame/depth)',
    'pinned after attack',
    'by threads',
    'races / kernel bugs',
    'verdict',
  ];
  const rows = d.strategies
    .map((s) => {
      const cls = !s.raceFree ? 'unsafe' : s.name === d.best ? 'best' : '';
      const num = (v: number | null) => (v === null ? '-' : cycles(v));
      const sav = (v: number | null) => (s.name === 'kmalloc' || v === null ? '-' : pct(-v));
      const threads = s.pinnedBytesAfterThreadAttack;
      const cells = [
        ['', esc(s.name)],
        ['n', num(s.cyclesAt4)],
        ['n', sav(s.savingAt4)],
        ['n', num(s.cyclesAt64)],
        ['n', sav(s.savingAt64)],
        ['n', `${s.stackFrameBytes}/${s.stackDepth}`],
        ['n', esc(bytes(s.pinnedBytesAfterAttack))],
        ['n', threads === undefined ? '-' : esc(bytes(threads))],
        ['', esc(s.raceFree ? 'none' : s.kernelBugs.join(', '))],
        ['', esc(s.verdict)],
      ];
      const tds = cells
        .map(([c, v], i) => `<td${c === '' ? '' : ` class="${c}"`} data-label="${headers[i]}">${v}</td>`)
        .join('');
      return `<tr class="${cls}">${tds}</tr>`;
    })
    .join('');
  const ths = headers.map((h) => `<th scope="col">${h}</th>`).join('');
  return `<table class="decision"><caption>Per strategy: cycles per pfm_read_pmds call, stack use, memory an attacker pins, races and kernel bugs</caption><thead><tr>${ths}</tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * One series per attack curve; curves with the same points (several bounded strategies on one
 * line) become one series naming them all, so none hides behind another.
 */
function pinnedSeries(attacks: readonly AttackCurve[], styleOf: (n: string) => number): Series[] {
  const groups = new Map<string, AttackCurve[]>();
  for (const a of attacks) {
    const key = `${a.from}|${a.samples.map((p) => `${p.contexts}:${p.pinnedBytes}`).join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0]!;
    return {
      name: `${g.map((a) => a.strategy).join(', ')} (${bytes(first.samples.at(-1)?.pinnedBytes ?? 0)})`,
      style: styleOf(first.strategy),
      computed: first.from === 'computed',
      points: first.samples.map((p) => [p.contexts, p.pinnedBytes] as const),
    };
  });
}

function section(s: ReportSection, index: number): string {
  const d = s.doc;
  const names = d.strategies.map((x) => x.name);
  // a strategy keeps its look (colour, marker, dash) in every chart of the section
  const styleOf = (n: string) => Math.max(0, names.indexOf(n));
  const syscalls = [...new Set(d.results.map((r) => r.syscall))];
  const cyclesOf = (strategy: string, sc: string) =>
    d.results.filter((r) => r.strategy === strategy && r.syscall === sc && r.cyclesPerCall !== null);
  // What differs leads: each strategy's cycles relative to kmalloc's at the same register count.
  const relative = syscalls
    .map((sc) => {
      const kmalloc = new Map(cyclesOf('kmalloc', sc).map((r) => [r.count, r.cyclesPerCall as number]));
      return lineChart({
        id: `relative-${index}-${sc}`,
        title: `Change against kmalloc per register count: ${sc} (below 0 = faster)`,
        xLabel: 'registers in the vector (log scale)',
        yLabel: 'cycles vs kmalloc (%)',
        logX: true,
        signedY: true,
        series: names
          .filter((n) => n !== 'kmalloc')
          .map((n) => ({
            name: n,
            style: styleOf(n),
            points: cyclesOf(n, sc).flatMap((r) => {
              const k = kmalloc.get(r.count);
              return k ? [[r.count, (((r.cyclesPerCall as number) - k) / k) * 100] as const] : [];
            }),
          })),
      });
    })
    .join('');
  const absolute = syscalls
    .map((sc) =>
      lineChart({
        id: `cost-${index}-${sc}`,
        title: `Cycles per call vs registers: ${sc} (log scales)`,
        xLabel: 'registers in the vector (log scale)',
        yLabel: 'cycles per call (log scale)',
        logX: true,
        logY: true,
        series: names.map((n) => ({
          name: n,
          style: styleOf(n),
          points: cyclesOf(n, sc).map((r) => [r.count, r.cyclesPerCall as number] as const),
        })),
      }),
    )
    .join('');
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
    series: pinnedSeries(s.attacks, styleOf),
  });
  const computed = s.attacks.some((a) => a.from === 'computed');
  const races = (s.races ?? [])
    .map((r) =>
      swimlane(r.trace, {
        id: `race-${index}-${r.strategy}`,
        title: `Race finding of ${r.strategy}: the replayed schedule, step by step`,
        command: r.command,
      }),
    )
    .join('');
  return `<section class="compare" id="section-${index}">
<h2>${esc(d.machine)} · abi ${esc(d.abi)} · seed ${d.seed} · threads ${d.threads}</h2>
<p class="meta">${esc(d.machineDescription ?? '')} (arch ${esc(d.arch)}, cost ${esc(d.cost)}, pmu ${esc(d.pmu)}) · from ${esc(s.source)} · made by pfmsim ${esc(d.pfmsimVersion ?? '?')}</p>
<h3>Decision table</h3>
${decisionTable(d)}
<p class="note">best: <b>${esc(d.best)}</b>, the cheapest strategy that is race-free, within CONFIG_FRAME_WARN and keeps pinned memory bounded.</p>
${relative}
${absolute}
${breakdown}
${pinned}
${computed ? `<p class="note">Attack curves marked "computed" (hollow markers) were run by <code>pfmsim report</code> on ${esc(d.machine)} (abi ${esc(d.abi)}, seed ${d.seed}, ${d.attackContexts ?? 1024} contexts); pass <code>pfmsim attack --json</code> files to use your own.</p>` : ''}
${races === '' ? '' : `<h3>Race findings</h3>${races}`}
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
    .map((n, i) => `<span class="swatch ${seriesStyle(i).colour}"></span>${esc(n)}`)
    .join(' ');
  // Stryker disable next-line OptionalChaining: stacks is not empty here (returned above when it is)
  return `<section id="stack"><h2>Stack use against each arch's budget</h2><p class="note">${legend} · an outline and a "!" after the number: over CONFIG_FRAME_WARN or a stack overflow</p>${chart}<p class="note">${esc(stacks[0]?.assumption ?? '')}</p></section>`;
}

/** A whole self-contained page: the report's style, no script, no network (its CSP forbids any). */
export function htmlPage(o: { title: string; heading: string; meta: string; body: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pfmsim ${esc(VERSION)}">
<title>${esc(o.title)}</title><style>${css()}</style></head>
<body>
<h1>${esc(o.heading)}</h1>
<p class="meta">${esc(o.meta)}</p>
${o.body}
</body></html>
`;
}

export function renderReport(input: ReportInput): string {
  const machines = input.sections.map((s) => s.doc.machine).join(', ');
  const seeds = [...new Set(input.sections.map((s) => s.doc.seed))].join(', ');
  return htmlPage({
    title: `pfmsim report: ${machines}`,
    heading: 'pfmsim report',
    meta: `How should perfmon2's vector arguments reach kernel memory? · machine ${machines} · seed ${seeds} · pfmsim ${VERSION}`,
    body: `${input.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')}
${input.sections.map((s, i) => section(s, i)).join('\n')}
${stackSection(input.stacks)}${profileSection(input.profiles ?? [])}`,
  });
}

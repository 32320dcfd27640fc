// What `pfmsim calibrate` prints: one figure's calibration, or the --vary all table.
import type {
  CalibrationResult,
  CalibrationTarget,
  Cycles,
  Machine,
  WhatIfRow,
  WhatIfTable,
} from '@pfmsim/lab';
import { cycles, pct, renderTable, type Table } from '../format.js';
import type { Style } from '../io.js';
import type { Doc } from '../output.js';

export interface CalibrateMeta {
  machine: Machine;
  abi: string;
  seed: number;
  target: CalibrationTarget;
  targetText: string;
}

/** "pfm_read_pmds n=4 stack vs kmalloc calls/s" */
export function targetName(t: CalibrationTarget): string {
  const head = `${t.syscall} n=${t.count} ${t.strategy}`;
  if (t.kind === 'absolute') return head;
  return `${head} vs ${t.versus}${t.kind === 'throughput' ? ' calls/s' : ''}`;
}

const metaOf = (m: CalibrateMeta) => ({
  command: 'calibrate',
  machine: m.machine.id,
  seed: m.seed,
  extra: [`abi ${m.abi}`, `cost ${m.machine.cost}`],
});

const jsonOf = (m: CalibrateMeta) => ({
  abi: m.abi,
  cost: m.machine.cost,
  targetText: m.targetText,
  targetSpec: m.target,
});

function formatters(t: CalibrationTarget) {
  const fmt = (x: number | null) => (x === null ? '-' : t.kind === 'absolute' ? cycles(x) : pct(x));
  const cyc = (c: Cycles) =>
    c.versus === null
      ? `${cycles(c.strategy)} cycles`
      : `${cycles(c.strategy)} vs ${cycles(c.versus)} cycles`;
  const tol = (x: number) =>
    t.kind === 'absolute' ? `±${x} cycles` : `±${Number((x * 100).toFixed(4))} points`;
  return { fmt, cyc, tol };
}

const verdictColor = (style: Style, v: string) =>
  v === 'plausible' ? style.green : v === 'doubtful' ? style.yellow : style.red;

function headLines(
  m: CalibrateMeta,
  r: { target: number; tolerance: number; current: number; currentCycles: Cycles },
) {
  const { fmt, cyc, tol } = formatters(m.target);
  const what = targetName(m.target);
  return [
    `target: ${what} = ${fmt(r.target)} (tolerance ${tol(r.tolerance)})`,
    `now:    ${what} = ${fmt(r.current)} (${cyc(r.currentCycles)})`,
  ];
}

export function singleDoc(m: CalibrateMeta, r: CalibrationResult): Doc {
  const { fmt, cyc, tol } = formatters(m.target);
  const table: Table = {
    title: `Calibration of ${r.param} (${m.machine.id})`,
    columns: [
      { header: 'param' },
      { header: 'figure', align: 'right' },
      { header: 'kind' },
      { header: 'solved', align: 'right' },
      { header: 'target', align: 'right' },
      { header: 'achieved', align: 'right' },
      { header: 'plausibility' },
    ],
    rows: [
      [
        r.param,
        r.figure.value,
        r.figure.kind,
        r.value,
        r.target,
        r.achieved,
        r.plausibility?.verdict ?? 'not solved',
      ],
    ],
  };
  const text = (style: Style) => {
    const [target, now] = headLines(m, r);
    const lines = [
      target!,
      `figure: ${r.param} = ${r.figure.value} on ${m.machine.cost} (kind ${r.figure.kind}: ${r.figure.source})`,
      now!,
    ];
    if (!r.solved) {
      const why = r.nearest
        ? `the closest value of ${r.param} found, ${r.nearest.value}, gives ${fmt(r.nearest.metric)}, outside the tolerance (${tol(r.tolerance)})`
        : `no value of ${r.param} in [${r.interval[0]}, ${r.interval[1]}] reproduces the target: the result ranges over ${fmt(r.reachable[0])} .. ${fmt(r.reachable[1])}`;
      lines.push(style.red(`not solved: ${why}`));
      lines.push('vary another figure (--vary all lists them), or widen the interval with --min/--max');
      return lines.join('\n');
    }
    const how =
      r.method === 'expectation'
        ? ', expected: linear in the probability, from all-hot and all-cold calls'
        : '';
    lines.push(
      `${style.bold(`solved: ${r.param} = ${r.value}`)} (${r.steps} simulated calls; gives ${fmt(r.achieved)}, ${cyc(r.achievedCycles!)}${how})`,
    );
    if (r.sampled) {
      const s = r.sampled;
      const value = m.target.kind === 'absolute' ? cycles(Number(s.metric.toFixed(1))) : pct2(s.metric);
      const half =
        m.target.kind === 'absolute' ? s.halfWidth.toFixed(1) : `${(s.halfWidth * 100).toFixed(2)}%`;
      lines.push(
        `re-measured: ${value} ± ${half} as the mean of ${s.calls.toLocaleString('en-US')} calls per strategy (seed ${m.seed}, ${s.confidence * 100} % confidence)`,
      );
    }
    const p = r.plausibility!;
    lines.push(`${verdictColor(style, p.verdict)(p.verdict)}: ${p.reason}`);
    return lines.join('\n');
  };
  return { meta: metaOf(m), json: { ...jsonOf(m), ...r }, tables: [table], text };
}

function pct2(x: number): string {
  const s = (x * 100).toFixed(2);
  return x > 0 ? `+${s}%` : `${s}%`;
}

/** The --vary all table: one row per cost figure, as printed, exported and put in READMEs. */
export function whatIfTable(m: CalibrateMeta, t: WhatIfTable): Table {
  const { fmt } = formatters(m.target);
  return {
    title: `What would have to be true: ${targetName(m.target)} = ${fmt(t.target)} (${m.machine.id})`,
    columns: [
      { header: 'figure' },
      { header: 'today', align: 'right' },
      { header: 'kind' },
      { header: 'value', align: 'right' },
      { header: 'ratio', align: 'right' },
      { header: 'documented' },
      { header: 'verdict' },
      { header: 'why' },
      { header: 'source' },
    ],
    rows: t.rows.map((r: WhatIfRow) => [
      r.param,
      r.figure.value,
      r.figure.kind,
      r.value,
      r.ratio === null ? null : `${r.ratio}x`,
      r.documentedRange ? `${r.documentedRange[0]}–${r.documentedRange[1]}` : null,
      r.verdict,
      r.reason,
      r.figure.source,
    ]),
  };
}

export function allDoc(m: CalibrateMeta, t: WhatIfTable): Doc {
  const table = whatIfTable(m, t);
  const reach = t.rows.filter((r) => r.verdict !== 'unreachable').length;
  const text = (style: Style) => {
    const lines = headLines(m, t);
    lines.push('');
    lines.push(
      renderTable(table, style, (_row, col, s) =>
        col === 6 && s !== 'unreachable' ? verdictColor(style, s)(s) : s,
      ),
    );
    lines.push('');
    lines.push(
      reach === 0
        ? style.red(`not solved: no single figure reaches the target (${t.rows.length} tried)`)
        : `${reach} of ${t.rows.length} figures reach the target alone; sorted by verdict, then by how far the value moves from today's figure`,
    );
    return lines.join('\n');
  };
  return {
    meta: metaOf(m),
    json: { ...jsonOf(m), vary: 'all', solved: reach > 0, ...t },
    tables: [table],
    text,
  };
}

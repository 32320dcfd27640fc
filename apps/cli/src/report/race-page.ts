/** The page `pfmsim race --html FILE` writes: each finding shown as its swimlane picture. */

import type { RaceTrace } from '@pfmsim/lab';
import { htmlPage } from './html.js';
import { esc } from './svg.js';
import { swimlane } from './swimlane.js';

export interface RacePageFinding {
  readonly title: string;
  readonly trace: RaceTrace;
  readonly command: string;
}

export function renderRacePage(o: {
  /** The run's header line ("pfmsim 0.1.0 · race · machine p4-2006 · ..."). */
  readonly meta: string;
  /** What was explored and found, as the terminal says it. */
  readonly summary: string;
  readonly findings: readonly RacePageFinding[];
}): string {
  const figures = o.findings
    .map((f, i) => swimlane(f.trace, { id: `race-${i + 1}`, title: f.title, command: f.command }))
    .join('\n');
  return htmlPage({
    title: 'pfmsim race',
    heading: 'pfmsim race',
    meta: o.meta,
    body: `<p>${esc(o.summary)}</p>\n${figures === '' ? '<p class="note">No finding: nothing to draw.</p>' : figures}`,
  });
}

/**
 * A race finding as a picture: one lane per thread, time going down one row per scheduling step.
 * The running thread's box lists what it did in the step (calls and their results, lock and irq
 * operations, argument copies, bug reports) and how the step ended; the two accesses of each
 * data race are highlighted and joined, and the replay command is printed under the picture.
 */

import type { RaceEvent, RaceStep, RaceTrace } from '@pfmsim/lab';
import { esc, f } from './svg.js';

/** How a thread's event reads in its box. */
export function eventText(e: RaceEvent): string {
  switch (e.kind) {
    case 'syscall-enter':
      return `call ${e.what}`;
    case 'syscall-exit':
      return e.result === undefined ? `${e.what} returns` : `${e.what} = ${e.result}`;
    case 'lock-take':
      return `takes ${e.what}`;
    case 'lock-wait':
      return `waits for ${e.what}`;
    case 'lock-release':
      return `releases ${e.what}`;
    case 'irq-save':
      return `irqs off ${e.what}`.trimEnd();
    case 'irq-restore':
      return `irqs on ${e.what}`.trimEnd();
    case 'arg-copy-in':
    case 'arg-copy-out':
      return e.what;
    case 'bug-report':
      return `BUG ${e.what}`;
  }
}

/** How a step ended, in its box's last line. */
export function endText(end: RaceStep['end']): string {
  switch (end) {
    case 'preempt':
      return 'preempted';
    case 'block':
      return 'blocks';
    case 'done':
      return 'ends';
    case 'killed':
      return 'killed';
  }
}

/** One text line of a box: its text and whether it is a racing access or a bug. */
interface Line {
  readonly text: string;
  readonly alert: boolean;
}

/** The lines of one step's box: the thread's events, its racing accesses, how the step ended. */
export function stepLines(trace: RaceTrace, step: RaceStep): Line[] {
  const lines: Line[] = trace.events
    .filter((e) => e.step === step.index && e.thread === step.thread)
    .map((e) => ({ text: eventText(e), alert: e.kind === 'bug-report' }));
  trace.conflicts.forEach((c, i) => {
    for (const a of [c.other, c.access]) {
      if (a.step === step.index && a.thread === step.thread)
        lines.push({ text: `race ${i + 1}: ${a.kind} at ${a.site}`, alert: true });
    }
  });
  lines.push({ text: endText(step.end), alert: false });
  return lines;
}

/** Longest text of a box line before it is cut (the whole line is its tooltip). */
const MAX_CHARS = 38;
const LANE = 270;
const GUTTER = 40;
const HEAD = 26;
const LINE = 13;

export interface SwimlaneOptions {
  readonly id: string;
  readonly title: string;
  /** The command that replays the schedule, printed under the picture. */
  readonly command: string;
}

export function swimlane(trace: RaceTrace, o: SwimlaneOptions): string {
  const W = GUTTER + trace.threads.length * LANE;
  const laneX = (t: number) => GUTTER + t * LANE;
  const parts: string[] = [];
  trace.threads.forEach((name, t) => {
    parts.push(
      `<text x="${f(laneX(t) + LANE / 2)}" y="16" class="label" text-anchor="middle">${esc(name)}</text>`,
    );
  });
  // where each step's box is, for the race links
  const boxes = new Map<number, { x: number; y: number; h: number }>();
  let y = HEAD;
  for (const step of trace.steps) {
    const lines = stepLines(trace, step);
    const h = 8 + lines.length * LINE;
    const x = laneX(step.thread) + 6;
    const racy = lines.some((l) => l.alert);
    boxes.set(step.index, { x, y, h });
    const chose =
      step.choice === null
        ? 'only this thread could run'
        : `the scheduler chose ${trace.threads[step.thread]} among ${step.choice.map((t) => trace.threads[t]).join(', ')}`;
    parts.push(
      `<text x="${GUTTER - 8}" y="${f(y + 14)}" class="tick" text-anchor="end">${step.index}${step.choice === null ? '' : '*'}<title>step ${step.index}: ${esc(chose)}</title></text>`,
    );
    parts.push(
      `<rect x="${f(x)}" y="${f(y)}" width="${LANE - 12}" height="${h}" rx="3" class="mark step${racy ? ' racy' : ''}"/>`,
    );
    lines.forEach((l, i) => {
      const cut = l.text.length > MAX_CHARS ? `${l.text.slice(0, MAX_CHARS - 1)}…` : l.text;
      parts.push(
        `<text x="${f(x + 6)}" y="${f(y + 4 + (i + 1) * LINE - 2)}" class="${l.alert ? 'alert' : i === lines.length - 1 ? 'tick' : 'line'}">${esc(cut)}${cut === l.text ? '' : `<title>${esc(l.text)}</title>`}</text>`,
      );
    });
    y += h + 6;
  }
  trace.conflicts.forEach((c, i) => {
    const a = boxes.get(c.other.step);
    const b = boxes.get(c.access.step);
    if (!a || !b) return;
    const ax = c.other.thread < c.access.thread ? a.x + LANE - 12 : a.x;
    const bx = c.other.thread < c.access.thread ? b.x : b.x + LANE - 12;
    parts.push(
      `<line x1="${f(ax)}" y1="${f(a.y + a.h / 2)}" x2="${f(bx)}" y2="${f(b.y + b.h / 2)}" class="race-link"><title>race ${i + 1}: ${esc(c.message)}</title></line>`,
    );
  });
  for (let t = 1; t < trace.threads.length; t++)
    parts.unshift(`<line x1="${laneX(t)}" x2="${laneX(t)}" y1="4" y2="${f(y)}" class="grid"/>`);
  const H = y + 4;
  const races = trace.conflicts
    .map((c, i) => `<li>race ${i + 1}: ${esc(c.message)}${c.object === '' ? '' : ` (${esc(c.object)})`}</li>`)
    .join('');
  return `<figure class="chart swimlane" data-chart="${esc(o.id)}"><figcaption>${esc(o.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}"><title>${esc(o.title)}</title>${parts.join('')}</svg>${races === '' ? '' : `<ul class="races">${races}</ul>`}<p class="note">* the scheduler chose this step's thread · replay: <code>${esc(o.command)}</code></p></figure>`;
}

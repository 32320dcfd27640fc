import { getMachine, type RaceTrace, traceRace } from '@pfmsim/lab';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectGolden } from '../../test/helpers.js';
import { renderRacePage } from './race-page.js';
import { eventText, stepLines, swimlane } from './swimlane.js';

/** Two threads, four steps: a call that copies, a lock wait, a racing write, a bug. */
function trace(over: Partial<RaceTrace> = {}): RaceTrace {
  return {
    replay: '1:0.1',
    threads: ['T0 main', 'T1 <caller>'],
    steps: [
      { index: 0, thread: 0, end: 'preempt', choice: [0, 1] },
      { index: 1, thread: 1, end: 'block', choice: null },
      { index: 2, thread: 0, end: 'done', choice: [0] },
      { index: 3, thread: 1, end: 'killed', choice: null },
    ],
    events: [
      { step: 0, thread: 0, kind: 'syscall-enter', what: 'pfm_write_pmds' },
      { step: 0, thread: 0, kind: 'arg-copy-in', what: 'copy_from_user 48 B at pfm_get_args' },
      { step: 1, thread: 1, kind: 'lock-wait', what: 'ctx1->lock' },
      { step: 2, thread: 0, kind: 'syscall-exit', what: 'pfm_write_pmds', result: -16 },
      { step: 3, thread: 1, kind: 'bug-report', what: 'sleep-in-atomic' },
    ],
    conflicts: [
      {
        addr: 0x7c00,
        object: '704 B (size-1024) args',
        access: { thread: 1, step: 3, kind: 'write', site: 'pfm_get_args' },
        other: { thread: 0, step: 0, kind: 'read', site: 'pfm_get_args' },
        message: 'write by T1 races with read by T0',
      },
    ],
    bugs: [],
    failures: [],
    traceHash: 'abc',
    ...over,
  };
}

describe('eventText', () => {
  it('says what each kind of event did', () => {
    const e = (kind: RaceTrace['events'][number]['kind'], what: string, result?: number) =>
      eventText({ step: 0, thread: 0, kind, what, ...(result === undefined ? {} : { result }) });
    expect(e('syscall-enter', 'pfm_read_pmds')).toBe('call pfm_read_pmds');
    expect(e('syscall-exit', 'pfm_read_pmds', 0)).toBe('pfm_read_pmds = 0');
    expect(e('syscall-exit', 'close', -9)).toBe('close = -9');
    expect(e('syscall-exit', 'close')).toBe('close returns');
    expect(e('lock-take', 'ctx1->lock')).toBe('takes ctx1->lock');
    expect(e('lock-wait', 'ctx1->lock')).toBe('waits for ctx1->lock');
    expect(e('lock-release', 'ctx1->lock')).toBe('releases ctx1->lock');
    expect(e('irq-save', '')).toBe('irqs off');
    expect(e('irq-save', 'local')).toBe('irqs off local');
    expect(e('irq-restore', '')).toBe('irqs on');
    expect(e('irq-restore', 'local')).toBe('irqs on local');
    expect(e('arg-copy-in', 'copy_from_user 48 B at x')).toBe('copy_from_user 48 B at x');
    expect(e('arg-copy-out', 'copy_to_user 48 B at x')).toBe('copy_to_user 48 B at x');
    expect(e('bug-report', 'data-race')).toBe('BUG data-race');
  });
});

describe('stepLines', () => {
  it("lists the step's own events, its racing accesses (numbered), then how it ended", () => {
    const t = trace();
    expect(stepLines(t, t.steps[0]!)).toEqual([
      { text: 'call pfm_write_pmds', alert: false },
      { text: 'copy_from_user 48 B at pfm_get_args', alert: false },
      { text: 'race 1: read at pfm_get_args', alert: true },
      { text: 'preempted', alert: false },
    ]);
    expect(stepLines(t, t.steps[1]!)).toEqual([
      { text: 'waits for ctx1->lock', alert: false },
      { text: 'blocks', alert: false },
    ]);
    expect(stepLines(t, t.steps[2]!)).toEqual([
      { text: 'pfm_write_pmds = -16', alert: false },
      { text: 'ends', alert: false },
    ]);
    expect(stepLines(t, t.steps[3]!)).toEqual([
      { text: 'BUG sleep-in-atomic', alert: true },
      { text: 'race 1: write at pfm_get_args', alert: true },
      { text: 'killed', alert: false },
    ]);
  });

  it("leaves out another thread's events and accesses of the same step number", () => {
    const t = trace();
    const other = { index: 0, thread: 1, end: 'done' as const, choice: null };
    expect(stepLines(t, other)).toEqual([{ text: 'ends', alert: false }]);
  });
});

/** The svg's <rect> boxes: x, y, width, height and classes. */
const boxes = (html: string) =>
  [
    ...html.matchAll(
      /<rect x="([\d.]+)" y="([\d.]+)" width="(\d+)" height="(\d+)" rx="3" class="([^"]+)"\/>/g,
    ),
  ].map((m) => [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), m[5]]);

describe('swimlane', () => {
  let html: string;
  beforeEach(() => {
    html = swimlane(trace(), {
      id: 'race-<1>',
      title: 'Finding & its schedule',
      command: "pfmsim race --replay '1:0.1'",
    });
  });

  it('is a chart figure with an escaped id, caption, accessible name and the replay command', () => {
    expect(
      html.startsWith(
        '<figure class="chart swimlane" data-chart="race-&lt;1&gt;"><figcaption>Finding &amp; its schedule</figcaption>',
      ),
    ).toBe(true);
    expect(html).toContain(
      'role="img" aria-label="Finding &amp; its schedule"><title>Finding &amp; its schedule</title>',
    );
    expect(html).toContain("replay: <code>pfmsim race --replay '1:0.1'</code></p></figure>");
  });

  it('has a lane per thread, named at its top, 270 px wide after a 40 px gutter', () => {
    expect(html).toContain('viewBox="0 0 580 ');
    expect(html).toContain('<text x="175" y="16" class="label" text-anchor="middle">T0 main</text>');
    expect(html).toContain(
      '<text x="445" y="16" class="label" text-anchor="middle">T1 &lt;caller&gt;</text>',
    );
    // one divider between the two lanes, down to the last box's bottom
    expect(html).toContain('<line x1="310" x2="310" y1="4" y2="');
  });

  it("puts each step's box in its thread's lane, one under another, as tall as its lines", () => {
    // 8 px of padding and 13 px a line, 6 px between boxes, from y 26
    expect(boxes(html)).toEqual([
      [46, 26, 258, 60, 'mark step racy'],
      [316, 92, 258, 34, 'mark step'],
      [46, 132, 258, 34, 'mark step'],
      [316, 172, 258, 47, 'mark step racy'],
    ]);
    expect(html).toContain('width="580" height="229"');
  });

  it('numbers the steps, starring those the scheduler chose, and explains the choice', () => {
    expect(html).toContain(
      '<text x="32" y="40" class="tick" text-anchor="end">0*<title>step 0: the scheduler chose T0 main among T0 main, T1 &lt;caller&gt;</title></text>',
    );
    expect(html).toContain(
      '<text x="32" y="106" class="tick" text-anchor="end">1<title>step 1: only this thread could run</title></text>',
    );
    expect(html).toContain('>2*<title>step 2: the scheduler chose T0 main among T0 main</title>');
  });

  it('writes the lines of a box in order: events, races in the alert style, the end dimmed', () => {
    expect(html).toContain('<text x="52" y="41" class="line">call pfm_write_pmds</text>');
    expect(html).toContain('<text x="52" y="54" class="line">copy_from_user 48 B at pfm_get_args</text>');
    expect(html).toContain('<text x="52" y="67" class="alert">race 1: read at pfm_get_args</text>');
    expect(html).toContain('<text x="52" y="80" class="tick">preempted</text>');
    expect(html).toContain('<text x="322" y="187" class="alert">BUG sleep-in-atomic</text>');
  });

  it('joins the two accesses of a race with a link titled by its message, and lists the races', () => {
    // from the right edge of T0's box (step 0) to the left edge of T1's (step 3), at mid-height
    expect(html).toContain(
      '<line x1="304" y1="56" x2="316" y2="195.5" class="race-link"><title>race 1: write by T1 races with read by T0</title></line>',
    );
    expect(html).toContain(
      '<ul class="races"><li>race 1: write by T1 races with read by T0 (704 B (size-1024) args)</li></ul>',
    );
  });

  it('links from the left edge when the earlier access is in the later lane', () => {
    const t = trace({
      conflicts: [
        {
          addr: 1,
          object: '',
          access: { thread: 0, step: 2, kind: 'read', site: 's' },
          other: { thread: 1, step: 1, kind: 'write', site: 's' },
          message: 'm',
        },
      ],
    });
    const h = swimlane(t, { id: 'x', title: 't', command: 'c' });
    // T1's step 1 box (y 79, 47 tall: three lines) to T0's step 2 box (y 132, 47 tall)
    expect(h).toContain('<line x1="316" y1="102.5" x2="304" y2="155.5" class="race-link">');
    // no object: the message alone
    expect(h).toContain('<li>race 1: m</li>');
  });

  it('draws no link for an access made before the run (step -1), and no list without races', () => {
    const before = trace({
      conflicts: [{ ...trace().conflicts[0]!, other: { thread: 0, step: -1, kind: 'read', site: 's' } }],
    });
    expect(swimlane(before, { id: 'x', title: 't', command: 'c' })).not.toContain('race-link');
    const none = swimlane(trace({ conflicts: [] }), { id: 'x', title: 't', command: 'c' });
    expect(none).not.toContain('<ul');
    // only the box with the bug report stands out
    expect(boxes(none).map((b) => b[4])).toEqual(['mark step', 'mark step', 'mark step', 'mark step racy']);
  });

  it('cuts a line longer than 38 characters with an ellipsis and keeps the whole as its tooltip', () => {
    const long = 'copy_from_user 1234567 B at a_very_long_site_name';
    const t = trace({ events: [{ step: 0, thread: 0, kind: 'arg-copy-in', what: long }] });
    const h = swimlane(t, { id: 'x', title: 't', command: 'c' });
    expect(h).toContain(`>${long.slice(0, 37)}…<title>${long}</title></text>`);
    const exact = 'x'.repeat(38);
    const h2 = swimlane(trace({ events: [{ step: 0, thread: 0, kind: 'arg-copy-in', what: exact }] }), {
      id: 'x',
      title: 't',
      command: 'c',
    });
    expect(h2).toContain(`>${exact}</text>`);
  });

  it('pins the picture of a real finding: ctx-cache-naive, two threads, replay 1:0.0.0.0.0', () => {
    const opts = {
      machine: getMachine('p4-2006'),
      strategy: 'ctx-cache-naive',
      abi: 'v2.3' as const,
      seed: 1,
      threads: 2,
    };
    const picture = swimlane(traceRace(opts, '1:0.0.0.0.0'), {
      id: 'race-1',
      title: 'Finding 1: data-race',
      command: 'pfmsim race --strategy ctx-cache-naive --replay 1:0.0.0.0.0',
    });
    expectGolden('swimlane-naive', picture.replace(/></g, '>\n<'));
  });
});

describe('renderRacePage', () => {
  it('is a page with the run header, the summary and one picture per finding, in order', () => {
    const page = renderRacePage({
      meta: 'pfmsim 1.0.0 · race · machine p4-2006',
      summary: '2 threads & a <finding>',
      findings: [
        { title: 'Finding 1', trace: trace(), command: 'c1' },
        { title: 'Finding 2', trace: trace({ conflicts: [] }), command: 'c2' },
      ],
    });
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<title>pfmsim race</title>');
    expect(page).toContain('<h1>pfmsim race</h1>\n<p class="meta">pfmsim 1.0.0 · race · machine p4-2006</p>');
    expect(page).toContain('<p>2 threads &amp; a &lt;finding&gt;</p>');
    const ids = [...page.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['race-1', 'race-2']);
    expect(page.indexOf('c1</code>')).toBeLessThan(page.indexOf('c2</code>'));
    expect(page).not.toContain('No finding');
    expect(page).not.toContain('<script');
  });

  it('says there is nothing to draw without findings', () => {
    const page = renderRacePage({ meta: 'm', summary: 's', findings: [] });
    expect(page).toContain('<p>s</p>\n<p class="note">No finding: nothing to draw.</p>');
    expect(page).not.toContain('<figure');
  });
});

import {
  type ArgBufferStrategy,
  type ArgCall,
  type CertCheck,
  clearRegisteredStrategies,
  createStrategy,
  E2BIG,
  kmallocBuffer,
  registerStrategy,
  UnknownStrategyError,
} from '@pfmsim/buffer-strategies';
import { CAT } from '@pfmsim/kernel-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MACHINE, getMachine } from '../machines.js';
import { replayRace } from '../race.js';
import { CHECK_IDS, certify } from './certify.js';
import { cyclesCheck, floodCheck, raceCheck, stackCheck } from './system-checks.js';

const machine = () => getMachine(DEFAULT_MACHINE);
const sys = (strategy: string) => ({
  strategy,
  machine: machine(),
  seed: 1,
  cli: 'pfmsim --plugin ./p.mjs',
  machineArgs: '--machine p4-2006',
});

/** Registers kmalloc with one change under `name`, as a plugin would. */
function plugin(name: string, change: Partial<ArgBufferStrategy>): void {
  registerStrategy({
    name,
    source: 'test plugin (t.mjs)',
    create: () => ({ ...createStrategy('kmalloc'), name, ...change }),
  });
}

afterEach(() => clearRegisteredStrategies());

describe('certify', () => {
  it('kmalloc without the scenario runner: six checks pass, conformance skipped, so partial', () => {
    const seen: string[] = [];
    const c = certify({
      strategy: 'kmalloc',
      machine: machine(),
      onCheck: (id, i, n) => seen.push(`${id} ${i}/${n}`),
    });
    expect(seen).toEqual(CHECK_IDS.map((id, i) => `${id} ${i}/7`));
    expect(c.checks.map((x) => [x.id, x.status])).toEqual([
      ['conformance', 'skipped'],
      ['shared-fd', 'pass'],
      ['race', 'pass'],
      ['faults', 'pass'],
      ['attacks', 'pass'],
      ['stack', 'pass'],
      ['cycles', 'pass'],
    ]);
    expect(c.verdict).toBe('partial');
    expect(c).toMatchObject({
      strategy: 'kmalloc',
      source: 'built-in',
      broken: false,
      machine: 'p4-2006',
      seed: 1,
      failed: [],
      pinnedFormula: '0 between calls; at most arg_size_max per call in flight',
    });
  });

  it('with a conformance check every check counts: certified, and a failing one fails the certificate', () => {
    const conformance = (status: CertCheck['status']) => (s: string) => ({
      id: 'conformance',
      title: `suite for ${s}`,
      status,
      summary: '',
      figures: {},
      problems: [],
      moreProblems: 0,
      replay: [],
    });
    const ok = certify({ strategy: 'hybrid', machine: machine(), conformance: conformance('pass') });
    expect(ok.verdict).toBe('certified');
    expect(ok.checks[0]!.title).toBe('suite for hybrid');
    const bad = certify({
      strategy: 'hybrid',
      machine: machine(),
      conformance: conformance('fail'),
      only: ['conformance', 'faults'],
    });
    expect(bad.verdict).toBe('not certified');
    expect(bad.failed).toEqual(['conformance']);
    expect(bad.checks.map((x) => x.id)).toEqual(['conformance', 'faults']);
  });

  it('a subset is partial even when it passes; the broken flag and the replay commands name the strategy', () => {
    const c = certify({ strategy: 'ctx-cache-naive', machine: machine(), only: ['faults', 'race'], seed: 3 });
    expect(c.broken).toBe(true);
    expect(c.verdict).toBe('not certified');
    expect(c.failed).toEqual(['race']);
    const faults = certify({ strategy: 'ctx-cache-naive', machine: machine(), only: ['faults'] });
    expect(faults.verdict).toBe('partial');
  });

  it('a plugin strategy is certified by name, with its source', () => {
    plugin('copy-twice', {});
    const c = certify({ strategy: 'copy-twice', machine: machine(), only: ['faults', 'shared-fd'] });
    expect(c.source).toBe('test plugin (t.mjs)');
    expect(c.checks.map((x) => x.status)).toEqual(['pass', 'pass']);
    const sharedFd = certify({ strategy: 'copy-twice', machine: machine(), only: ['shared-fd'], seed: 9 });
    expect(sharedFd.checks[0]!.figures.randomSchedules).toBe(900);
  });

  it('an unknown strategy is an UnknownStrategyError', () => {
    expect(() => certify({ strategy: 'nope', machine: machine() })).toThrow(UnknownStrategyError);
  });
});

describe('raceCheck', () => {
  it('ctx-cache-naive: one problem per kind of finding, each with a pfmsim race command that replays it', () => {
    const c = raceCheck(sys('ctx-cache-naive'), { maxPreemptions: 3, randomSchedules: 20, threads: 2 });
    expect(c.status).toBe('fail');
    expect(c.figures).toMatchObject({ exhaustiveSchedules: 90, randomSchedules: 20, complete: true });
    expect(c.replay.length).toBe(c.problems.length);
    const m =
      /^pfmsim --plugin \.\/p\.mjs race -s ctx-cache-naive --machine p4-2006 -t 2 --replay (\S+)$/.exec(
        c.replay[0]!,
      );
    expect(m).not.toBeNull();
    const again = replayRace({ machine: machine(), strategy: 'ctx-cache-naive', threads: 2 }, m![1]!);
    expect(again.bugs.length + again.corrupted.length).toBeGreaterThan(0);
  });

  it('kmalloc is clean; a capped search would be partial', () => {
    const c = raceCheck(sys('kmalloc'), { maxPreemptions: 2, randomSchedules: 5, threads: 2 });
    expect(c.status).toBe('pass');
    expect(c.summary).toMatch(
      /^\d+ exhaustive schedules \(up to 2 preemptions, complete\) \+ 5 random; no finding$/,
    );
  });
});

describe('floodCheck', () => {
  it('ctx-cache pins a page per context: a caveat, not a failure', () => {
    const c = floodCheck(sys('ctx-cache'), { contexts: 64, threads: 8 });
    expect(c.status).toBe('warn');
    expect(c.figures).toMatchObject({
      pinnedBytesAfterContexts: 64 * 4096,
      pinnedPagesAfterContexts: 64,
      pinnedBytesAfterClose: 0,
      pinnedBytesAfterExit: 0,
    });
    expect(c.summary).toBe(
      '64 contexts pin 256.0 KiB, 8 threads pin 4.0 KiB, 0 B once closed and exited; pins 256.0 KiB for 64 contexts: grows with the attacker',
    );
  });

  it('task-cache holds a buffer per thread until the thread exits: grows with threads, nothing left after exit', () => {
    const c = floodCheck(sys('task-cache'), { contexts: 16, threads: 16 });
    expect(c.status).toBe('warn');
    expect(c.figures).toMatchObject({ pinnedBytesAfterClose: 4096, pinnedBytesAfterExit: 0 });
    expect(c.figures.verdict).toBe('pins 64.0 KiB for 16 threads: grows with the attacker');
  });

  it('a buffer never freed fails both floods', () => {
    plugin('leaky', { release: () => {} });
    const c = floodCheck(sys('leaky'), { contexts: 8, threads: 4 });
    expect(c.status).toBe('fail');
    expect(c.problems).toEqual([
      'context flood: 32768 B still charged after every context was closed and the thread exited',
      'thread flood: 16384 B still charged after the context was closed and every thread exited',
    ]);
    expect(c.replay).toEqual([
      'pfmsim --plugin ./p.mjs certify leaky --machine p4-2006 --seed 1 --only attacks',
    ]);
  });

  it('kmalloc is bounded', () => {
    expect(floodCheck(sys('kmalloc'), { contexts: 8, threads: 4 }).figures.verdict).toBe('bounded');
  });
});

describe('stackCheck', () => {
  it('stack: a 1056 B frame over ppc32 CONFIG_FRAME_WARN is a caveat', () => {
    const c = stackCheck(sys('stack'));
    expect(c.status).toBe('warn');
    expect(c.summary).toContain('over CONFIG_FRAME_WARN: ppc32 pmd 1056 B > 1024');
    expect(c.figures.archs).toBe(9);
  });

  it('a frame larger than the stack overflows it: a failure on every arch', () => {
    plugin('huge-frame', { frameBytes: () => 40_000 });
    const c = stackCheck(sys('huge-frame'));
    expect(c.status).toBe('fail');
    expect(c.problems[0]).toMatch(/^i386: pmc call overflowed the 8192 B kernel stack$/);
    expect(c.replay).toEqual(['pfmsim --plugin ./p.mjs certify huge-frame --only stack']);
  });
});

describe('cyclesCheck', () => {
  it('stack saves 15.3 % at 4 registers on p4-2006 and nothing from 8 up', () => {
    const c = cyclesCheck(sys('stack'));
    expect(c.status).toBe('pass');
    expect(c.figures).toMatchObject({ measurements: 192, cyclesAt4: 1765, kmallocAt4: 2085 });
    expect(c.summary).toMatch(/n=4 -15\.3%, n=8 0\.0%/);
    expect((c.data as unknown[]).length).toBe(192);
  });

  it('a strategy refusing what kmalloc accepts fails at each such count', () => {
    plugin('small-only', {
      acquire: (call: ArgCall) => (call.count > 32 ? -E2BIG : kmallocBuffer(call)),
    });
    const c = cyclesCheck(sys('small-only'));
    expect(c.status).toBe('fail');
    expect(c.problems[0]).toBe('pfm_read_pmds n=33: lab: initial pfm_write_pmds failed: E2BIG');
    expect(c.problems.length + c.moreProblems).toBe(3 * 32);
  });
});

describe('certify: defaults and replay commands', () => {
  it('a broken strategy: every replay names pfmsim, the machine and the seed; the default bounds are in the figures', () => {
    const c = certify({
      strategy: 'ctx-cache-naive',
      machine: machine(),
      only: ['shared-fd', 'race', 'attacks'],
    });
    const [sharedFd, race, attacks] = c.checks;
    expect(sharedFd!.replay[0]).toMatch(
      /^pfmsim certify ctx-cache-naive --machine p4-2006 --seed 1 --only shared-fd --replay two-calls:1:[\d.]+$/,
    );
    expect(sharedFd!.figures).toMatchObject({ maxPreemptions: 3, randomSchedules: 900 });
    expect(race!.replay[0]).toMatch(
      /^pfmsim race -s ctx-cache-naive --machine p4-2006 -t 2 --replay 1:[\d.]+$/,
    );
    expect(race!.figures).toMatchObject({ threads: 2, maxPreemptions: 3, randomSchedules: 300 });
    expect(attacks!.figures).toMatchObject({ contexts: 1024, threads: 256 });
    expect(attacks!.replay).toEqual([
      'pfmsim certify ctx-cache-naive --machine p4-2006 --seed 1 --only attacks',
    ]);
    expect(c.description).toBe(createStrategy('ctx-cache-naive').description);
    expect(c.stackFootprint).toBe('0 B');
  });

  it('the options reach the checks: seed, bounds, attack sizes, the cli prefix and machine flags', () => {
    const c = certify({
      strategy: 'ctx-cache-spinsplit',
      machine: machine(),
      seed: 4,
      maxPreemptions: 1,
      randomSchedules: 7,
      attackContexts: 16,
      attackThreads: 8,
      cli: 'pfmsim --plugin x.mjs',
      machineArgs: '--machine p4-2006 --pmu intel-p6',
      only: ['faults', 'race', 'attacks'],
    });
    const [race, faults, attacks] = c.checks;
    expect(race!.figures).toMatchObject({ maxPreemptions: 1, randomSchedules: 7 });
    expect(faults!.replay).toEqual([
      'pfmsim --plugin x.mjs certify ctx-cache-spinsplit --machine p4-2006 --pmu intel-p6 --seed 4 --only faults',
    ]);
    expect(attacks!.figures).toMatchObject({ contexts: 16, threads: 8 });
    expect(c.seed).toBe(4);
  });

  it('without the scenario runner, conformance is reported as skipped, with nothing else', () => {
    const c = certify({ strategy: 'kmalloc', machine: machine(), only: ['conformance'] });
    expect(c.checks).toEqual([
      {
        id: 'conformance',
        title: 'the conformance suite differential against kmalloc',
        status: 'skipped',
        summary: 'not run here: it needs the scenario runner (pfmsim certify runs it)',
        figures: {},
        problems: [],
        moreProblems: 0,
        replay: [],
      },
    ]);
    expect(c.verdict).toBe('partial');
  });
});

describe('system checks: exact figures', () => {
  it('kmalloc: the stack, race and cycle summaries', () => {
    const stack = stackCheck(sys('kmalloc'));
    expect(stack.summary).toBe('deepest use 160 B of 4040 usable (i386-4k); no frame over CONFIG_FRAME_WARN');
    expect(stack.figures).toEqual({
      archs: 9,
      deepestArch: 'i386-4k',
      deepestBytes: 160,
      usableBytes: 4040,
      frameWarnExceeded: 0,
    });
    expect(stack.replay).toEqual([]);
    const race = raceCheck(sys('kmalloc'), { maxPreemptions: 3, randomSchedules: 4, threads: 2 });
    expect(race.summary).toBe(
      '90 exhaustive schedules (up to 3 preemptions, complete) + 4 random; no finding',
    );
    expect(race.title).toBe('2 threads calling pfm_write_pmds on one context fd (the perfmon2 core)');
    const cycles = cyclesCheck(sys('kmalloc'));
    expect(cycles.summary).toBe(
      'pfm_read_pmds vs kmalloc: n=1 0.0%, n=4 0.0%, n=8 0.0%, n=16 0.0%, n=64 0.0% (2085 vs 2085 cycles at 4); 192 measurements',
    );
    expect(cycles.figures).toEqual({
      measurements: 192,
      cyclesAt4: 2085,
      kmallocAt4: 2085,
      savingAt4: 0,
      savingAt64: 0,
    });
    expect(cycles.title).toBe('cycles per call at 1..64 registers, against kmalloc (p4-2006)');
  });

  it('calls that fail in a flood are named per flood and errno; kernel bugs are counted', () => {
    plugin('small-flood', { acquire: (call: ArgCall) => (call.count > 16 ? -E2BIG : kmallocBuffer(call)) });
    const c = floodCheck(sys('small-flood'), { contexts: 4, threads: 2 });
    expect(c.problems).toEqual([
      'context flood: pfm_write_pmds: E2BIG',
      'thread flood: pfm_write_pmds: E2BIG',
    ]);
    expect(c.title).toBe('memory-pinning attacks: 4 contexts, 2 threads');
    plugin('buggy', {
      release(call: ArgCall) {
        call.k.reportBug('double-free', call.t, 'made up');
        call.buf = 0;
      },
    });
    expect(floodCheck(sys('buggy'), { contexts: 3, threads: 2 }).problems.slice(0, 2)).toEqual([
      'context flood: 1 kernel bug(s)',
      'thread flood: 1 kernel bug(s)',
    ]);
  });

  it('a strategy that throws fails each system check with the message', () => {
    plugin('thrower', {
      acquire() {
        throw new Error('plugin bug');
      },
    });
    for (const c of [
      raceCheck(sys('thrower'), { maxPreemptions: 1, randomSchedules: 1, threads: 2 }),
      floodCheck(sys('thrower'), { contexts: 2, threads: 2 }),
    ]) {
      expect(c.problems).toEqual(['the strategy threw: plugin bug']);
    }
    expect(stackCheck(sys('thrower')).problems[0]).toBe('i386: the strategy threw: plugin bug');
    expect(cyclesCheck(sys('thrower')).problems[0]).toBe('pfm_read_pmds n=1: plugin bug');
  });
});

describe('system checks: messages, boundaries and replays', () => {
  it('cycles: a failing call is named with both results, and the check replays with --only cycles', () => {
    plugin('small-only-2', {
      acquire: (call: ArgCall) => (call.kind === 'pmc' && call.count > 32 ? -E2BIG : kmallocBuffer(call)),
    });
    const c = cyclesCheck(sys('small-only-2'));
    expect(c.problems[0]).toBe('pfm_write_pmcs n=33: E2BIG where kmalloc gives success');
    expect(c.replay).toEqual([
      'pfmsim --plugin ./p.mjs certify small-only-2 --machine p4-2006 --only cycles',
    ]);
    expect(cyclesCheck(sys('kmalloc')).replay).toEqual([]);
  });

  it('cycles: a strategy slower than kmalloc shows a + change; kernel bugs during a call are counted', () => {
    plugin('slower', {
      acquire(call: ArgCall) {
        call.k.charge(call.t, CAT.alloc, 500);
        return kmallocBuffer(call);
      },
    });
    expect(cyclesCheck(sys('slower')).summary).toMatch(/^pfm_read_pmds vs kmalloc: n=1 \+\d+\.\d%, n=4 \+/);
    plugin('buggy-call', {
      release(call: ArgCall) {
        call.k.reportBug('double-free', call.t, 'made up');
        call.buf = 0;
      },
    });
    expect(cyclesCheck(sys('buggy-call')).problems[0]).toMatch(/^pfm_read_pmds n=1: \d+ kernel bug\(s\)$/);
  });

  it('stack: the deepest use over every arch and the frames over CONFIG_FRAME_WARN, exactly', () => {
    const c = stackCheck(sys('stack'));
    expect(c.summary).toBe(
      'deepest use 1312 B of 8128 usable (ppc32); over CONFIG_FRAME_WARN: ppc32 pmd 1056 B > 1024',
    );
    expect(c.figures).toEqual({
      archs: 9,
      deepestArch: 'ppc32',
      deepestBytes: 1312,
      usableBytes: 8128,
      frameWarnExceeded: 1,
    });
    expect(c.title).toBe('stack report against CONFIG_FRAME_WARN on every arch (9)');
  });

  it('attacks: the page size of the arch decides what grows (IA-64 pages are 16 KiB); 1 MiB is printed as MiB', () => {
    const ia64 = { ...sys('ctx-cache-bounded'), machine: getMachine('itanium2-2006') };
    // 64 KiB of budget against 32 contexts: a quarter of a 16 KiB page each is 128 KiB
    expect(floodCheck(ia64, { contexts: 32, threads: 8 }).figures.verdict).toBe('bounded');
    expect(floodCheck(sys('ctx-cache-bounded'), { contexts: 32, threads: 2 }).figures.verdict).toBe(
      'pins 64.0 KiB for 32 contexts: grows with the attacker',
    );
    expect(floodCheck(sys('ctx-cache'), { contexts: 256, threads: 2 }).summary).toMatch(
      /^256 contexts pin 1\.0 MiB, /,
    );
  });

  it('attacks: a check that could not measure says so in its summary', () => {
    plugin('thrower-2', {
      acquire() {
        throw new Error('plugin bug');
      },
    });
    expect(floodCheck(sys('thrower-2'), { contexts: 2, threads: 2 }).summary).toBe(
      '2 contexts pin 0 B, 2 threads pin 0 B, 0 B once closed and exited; not measured',
    );
  });

  it('race: one problem per kind, each with its schedule, and the kinds in the summary', () => {
    const c = raceCheck(sys('ctx-cache-naive'), { maxPreemptions: 3, randomSchedules: 0, threads: 2 });
    expect(c.summary).toBe(
      '90 exhaustive schedules (up to 3 preemptions, complete) + 0 random; findings: corrupted-argument, data-race',
    );
    expect(c.problems[0]).toMatch(/^schedule 1:[\d.]+: data-race: read by T1 caller1 at ctx->arg_buf read/);
    expect(c.problems[1]).toMatch(
      /^schedule 1:[\d.]+: T0 main: copied-back vector differs from its own \(corrupted argument\)$/,
    );
  });
});

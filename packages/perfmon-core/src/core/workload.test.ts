import { InvalidArgumentError } from '@pfmsim/kernel-sim';
import { getModel, type PmuEvent } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { eventWorkloadKey, Workload, workloadFromEvents } from './workload.js';

const p6 = getModel('intel-p6');

describe('Workload: events per cycle by (code, umask) and privilege level', () => {
  const w = new Workload({
    name: 'mix',
    rates: [
      { code: 0x2e, umask: 0x0f, user: 0.5, kernel: 0.25 },
      { code: 0x2e, umask: 0x01, user: 0.125 },
      { code: 0x79, user: 1 },
      { code: 0x79, umask: 0, kernel: 0.5 },
    ],
  });

  it('a counter gets the user rate, the kernel rate or both, per the modes it counts', () => {
    expect(w.rate(0x2e, 0x0f, true, false)).toBe(0.5);
    expect(w.rate(0x2e, 0x0f, false, true)).toBe(0.25);
    expect(w.rate(0x2e, 0x0f, true, true)).toBe(0.75);
    expect(w.rate(0x2e, 0x0f, false, false)).toBe(0);
  });

  it('the unit mask is part of the event: another umask of the same code has its own rate', () => {
    expect(w.rate(0x2e, 0x01, true, true)).toBe(0.125);
    expect(w.rate(0x2e, 0x00, true, true)).toBe(0);
    expect(w.rate(0x2e, 0x10, true, true)).toBe(0);
  });

  it('rates of the same event add up; an omitted umask is 0', () => {
    expect(w.rate(0x79, 0, true, true)).toBe(1.5);
    expect(w.rate(0x79, 0, false, true)).toBe(0.5);
  });

  it('an event the workload does not rate counts nothing, in any mode', () => {
    expect(w.rate(0xc0, 0, true, true)).toBe(0);
    expect(w.rate(0x2f, 0x0f, true, false)).toBe(0);
  });

  it.each([
    ['code', { code: -1 }, '-1'],
    ['umask', { code: 1, umask: Number.NaN }, 'NaN'],
    ['user', { code: 1, user: Number.POSITIVE_INFINITY }, 'Infinity'],
    ['kernel', { code: 1, kernel: -0.5 }, '-0.5'],
    ['user', { code: 1, user: '1' as unknown as number }, '"1"'],
    ['code', { code: Number.NaN }, 'NaN'],
  ])('refuses a rate whose %s is not a finite number >= 0', (field, rate, shown) => {
    const make = () => new Workload({ name: 'bad', rates: [{ code: 0x79, user: 1 }, rate] });
    expect(make).toThrow(InvalidArgumentError);
    expect(make).toThrow(`invalid workload bad rate ${field}: ${shown} (accepted: a finite number >= 0)`);
  });

  it('accepts zero rates', () => {
    expect(
      new Workload({ name: 'idle', rates: [{ code: 0, umask: 0, user: 0, kernel: 0 }] }).rate(
        0,
        0,
        true,
        true,
      ),
    ).toBe(0);
  });
});

describe('workloadFromEvents: rates by event name of a PMU model', () => {
  it('a number is a user-mode rate, an object gives each mode', () => {
    const w = workloadFromEvents(p6, 'loop', {
      CPU_CLK_UNHALTED: 1,
      INST_RETIRED: { user: 0.75, kernel: 0.25 },
    });
    expect(w.spec.name).toBe('loop');
    expect(w.rate(0x79, 0, true, false)).toBe(1);
    expect(w.rate(0x79, 0, false, true)).toBe(0);
    expect(w.rate(0xc0, 0, true, false)).toBe(0.75);
    expect(w.rate(0xc0, 0, false, true)).toBe(0.25);
  });

  it('unit masks named after the event are OR-ed together, case-insensitively (libpfm)', () => {
    const w = workloadFromEvents(p6, 'l2', { 'L2_RQSTS:M:E': 0.5, 'l2_ifetch:i': 0.25, L2_ST: 0.125 });
    expect(w.rate(0x2e, 0x0c, true, false)).toBe(0.5);
    expect(w.rate(0x2e, 0x08, true, false)).toBe(0);
    expect(w.rate(0x2e, 0x04, true, false)).toBe(0);
    expect(w.rate(0x28, 0x01, true, false)).toBe(0.25);
    expect(w.rate(0x2a, 0x00, true, false)).toBe(0.125);
  });

  it('the event code’s built-in unit mask (bits 8-15) is kept and further unit masks add to it', () => {
    const core = getModel('intel-core');
    const w = workloadFromEvents(core, 'llc', {
      LAST_LEVEL_CACHE_REFERENCES: 0.5,
      'RS_UOPS_DISPATCHED_CYCLES:PORT_0:PORT_5': 1,
    });
    expect(w.rate(0x2e, 0x4f, true, false)).toBe(0.5);
    expect(w.rate(0xa1, 0x21, true, false)).toBe(1);
  });

  it('an unknown event is refused with the model named', () => {
    expect(() => workloadFromEvents(p6, 'x', { NO_SUCH_EVENT: 1 })).toThrow(
      'invalid workload event for intel-p6: "NO_SUCH_EVENT" (accepted: an event name of the model)',
    );
    expect(() => workloadFromEvents(p6, 'x', { NO_SUCH_EVENT: 1 })).toThrow(InvalidArgumentError);
  });

  it('an unknown unit mask is refused with the event’s unit masks listed', () => {
    const make = () => workloadFromEvents(p6, 'x', { 'L2_RQSTS:M:X': 1 });
    expect(make).toThrow(InvalidArgumentError);
    expect(make).toThrow('invalid unit mask of L2_RQSTS: "X" (accepted: I, S, E, M)');
  });
});

describe('eventWorkloadKey: the (code, umask) a counter programmed for an event looks up', () => {
  const key = (id: string, name: string) => {
    const m = getModel(id);
    return eventWorkloadKey(m, m.eventByName(name)!);
  };

  it('x86: event select and built-in unit mask from the code', () => {
    expect(key('intel-p6', 'INST_RETIRED')).toEqual({ code: 0xc0, umask: 0 });
    expect(key('intel-core', 'LAST_LEVEL_CACHE_MISSES')).toEqual({ code: 0x2e, umask: 0x41 });
    expect(key('intel-core', 'UNHALTED_REFERENCE_CYCLES')).toEqual({ code: 0x3c, umask: 0x01 });
  });

  it('IA-64: the event select and the unit mask libpfm programs in PMC bits 16-19', () => {
    expect(key('itanium2', 'CPU_CYCLES')).toEqual({ code: 0x12, umask: 0 });
    expect(key('itanium2', 'BUS_MEMORY_ALL_ANY')).toEqual({ code: 0x8a, umask: 0xf });
    expect(key('itanium2', 'BACK_END_BUBBLE_FE')).toEqual({ code: 0x00, umask: 0x1 });
    expect(key('montecito', 'BUS_ALL_ANY')).toEqual({ code: 0x87, umask: 0x3 });
    const itanium = getModel('itanium2');
    const ev = itanium.eventByName('BUS_MEMORY_ALL_ANY')!;
    const withUmask = (umask: unknown): PmuEvent => ({
      ...ev,
      modelData: { ...(ev.modelData as object), umask },
    });
    expect(eventWorkloadKey(itanium, withUmask(0x5))).toEqual({ code: 0x8a, umask: 0x5 });
    expect(eventWorkloadKey(itanium, withUmask(undefined))).toEqual({ code: 0x8a, umask: 0 });
  });

  it('P4: the ESCR event select, unit masks apart', () => {
    expect(key('intel-p4', 'instr_retired')).toEqual({ code: 0x2, umask: 0 });
    expect(key('intel-p4', 'global_power_events')).toEqual({ code: 0x13, umask: 0 });
  });

  it('POWER5: the whole event code (PMCSEL values repeat across counters)', () => {
    expect(key('power5', 'PM_RUN_CYC')).toEqual({ code: 0x100005, umask: 0 });
    expect(key('power5', 'PM_CYC')).toEqual({ code: 0xf, umask: 0 });
  });

  it('MIPS64: libpfm’s pmeCode (string or number), else the event code', () => {
    const mips = getModel('mips64');
    const ev = mips.eventByName('INSNS_EXECED')!;
    expect(eventWorkloadKey(mips, ev)).toEqual({ code: 0x10f, umask: 0 });
    const withPme = (pmeCode: unknown): PmuEvent => ({
      ...ev,
      modelData: { ...(ev.modelData as object), pmeCode },
    });
    expect(eventWorkloadKey(mips, withPme(0x20f))).toEqual({ code: 0x20f, umask: 0 });
    expect(eventWorkloadKey(mips, withPme(undefined))).toEqual({ code: 0xf, umask: 0 });
  });

  it('workloadFromEvents rates each scheme’s events under that key', () => {
    const itanium = getModel('itanium2');
    expect(workloadFromEvents(itanium, 'bus', { BUS_MEMORY_ALL_ANY: 0.5 }).rate(0x8a, 0xf, true, false)).toBe(
      0.5,
    );
    const power5 = getModel('power5');
    expect(workloadFromEvents(power5, 'run', { PM_RUN_CYC: 1 }).rate(0x100005, 0, true, false)).toBe(1);
    const p4 = getModel('intel-p4');
    expect(
      workloadFromEvents(p4, 'ret', { 'instr_retired:NBOGUSNTAG:BOGUSTAG': 1 }).rate(2, 0x9, true, false),
    ).toBe(1);
  });
});

describe('phases: a program that cycles through functions', () => {
  const phased = () =>
    new Workload(
      { name: 'prog', rates: [] },
      [
        { name: 'main', share: 5, start: 0x1000, end: 0x1100, rates: [{ code: 0x79, user: 1 }] },
        { name: 'work', share: 3, start: 0x2000, end: 0x2010, rates: [{ code: 0xc0, user: 2 }] },
        { name: 'idle', share: 2, start: 0x3000, end: 0x3004, rates: [] },
      ],
      1000,
    );

  it('splits the period by share; each phase has its own rates', () => {
    const w = phased();
    expect(w.phases.map((p) => [p.name, p.from, p.to])).toEqual([
      ['main', 0, 500],
      ['work', 500, 800],
      ['idle', 800, 1000],
    ]);
    expect(w.phaseAt(0).name).toBe('main');
    expect(w.phaseAt(499).name).toBe('main');
    expect(w.phaseAt(500).workload.rate(0xc0, 0, true, false)).toBe(2);
    expect(w.phaseAt(1799).name).toBe('work');
    expect(w.phaseAt(1800).name).toBe('idle');
    expect(w.phaseLeft(1799)).toBe(1);
    expect(w.phaseLeft(2000)).toBe(500);
  });

  it('the instruction pointer walks through the running function, 4 bytes a cycle, wrapping inside it', () => {
    const w = phased();
    expect(w.ipAt(0)).toBe(0x1000);
    expect(w.ipAt(10)).toBe(0x1028);
    expect(w.ipAt(64)).toBe(0x1000); // 256 bytes: wraps
    expect(w.ipAt(503)).toBe(0x200c);
    expect(w.ipAt(505)).toBe(0x2004);
    expect(w.ipAt(1801)).toBe(0x3000);
    // an event at a phase's last cycle is that phase's, at the end of its walk
    expect(w.ipAt(500)).toBe(0x1000 + ((500 * 4) % 0x100));
    expect(w.ipAt(1000)).toBe(0x3000 + ((200 * 4) % 4));
    expect(w.ipAt(2800)).toBe(0x2000 + ((300 * 4) % 0x10));
  });

  it('without phases: one, forever, in the first MiB of the i386 text', () => {
    const w = new Workload({ name: 'flat', rates: [{ code: 1, user: 1 }] });
    expect(w.phases).toHaveLength(1);
    expect(w.phaseLeft(123)).toBe(Number.POSITIVE_INFINITY);
    expect(w.phaseAt(10 ** 12).workload).toBe(w);
    expect(w.ipAt(1000)).toBe(0x08048000 + 4000);
    expect(w.ipAt(0x40000)).toBe(0x08048000);
  });

  it('refuses a bad share, code range or period, naming it', () => {
    const phase = { name: 'f', share: 1, start: 0x10, end: 0x20, rates: [] };
    const make =
      (p: object, period = 100) =>
      () =>
        new Workload({ name: 'w', rates: [] }, [{ ...phase, ...p }], period);
    expect(make({ share: 0 })).toThrow(/workload w phase f share: 0/);
    expect(make({ share: Number.POSITIVE_INFINITY })).toThrow(/share/);
    expect(make({ end: 0x10 })).toThrow(/workload w phase f code: "16-16"/);
    expect(make({ start: -1 })).toThrow(/code/);
    expect(make({ start: 1.5 })).toThrow(/code/);
    expect(make({}, 0)).toThrow(/workload w period: 0/);
    expect(make({}, 2.5)).toThrow(/period/);
    expect(make({})().phases[0]).toMatchObject({ from: 0, to: 100 });
  });
});

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArgBufferStrategy, createKmallocStrategy } from '@pfmsim/buffer-strategies';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import {
  checkProgram,
  failureSignature,
  generateProgram,
  renderProgram,
  runFuzz,
  shrinkProgram,
} from './fuzz.js';
import { loadScenarioFile, scenarioFromData } from './load.js';
import { DEFAULT_STRATEGIES, type ExtraStrategies } from './plan.js';
import { runScenario } from './run.js';
import { createFreeBeforeCopyBackStrategy, createSkipCopyBackStrategy } from './test-strategies.test-util.js';

/**
 * The fuzzer as its user sees it: the programs a seed generates (the mix of calls, threads,
 * faults and bad arguments the module comment promises), the invariants that flag a planted
 * bug, shrinking that keeps the failure and drops the rest, and the scenario file written.
 */

type Program = ReturnType<typeof generateProgram>;
type Rec = Record<string, unknown>;

/** kmalloc that never frees the argument buffer: only the end-of-run leak report sees it. */
function createLeakyStrategy(): ArgBufferStrategy {
  return { ...createKmallocStrategy(), name: 'leaky', release() {} };
}

const EXTRA: ExtraStrategies = new Map([
  ['skip-copy-back', createSkipCopyBackStrategy],
  ['free-before-copy-back', createFreeBeforeCopyBackStrategy],
  ['leaky', createLeakyStrategy],
]);

const SIZES = { pmc: 48, pmd: 176, setdesc: 64, setinfo: 192 } as const;
type Kind = keyof typeof SIZES;
const CALL_KIND: Record<string, Kind> = {
  pfm_write_pmcs: 'pmc',
  pfm_write_pmds: 'pmd',
  pfm_read_pmds: 'pmd',
  pfm_create_evtsets: 'setdesc',
  pfm_getinfo_evtsets: 'setinfo',
  pfm_delete_evtsets: 'setinfo',
};
/** The counts a vector call tries when it does not pass its buffer's own: small ones and the boundaries. */
const boundaryCounts = (kind: Kind) => {
  const size = SIZES[kind];
  return [
    -1,
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    Math.floor(4096 / size),
    Math.floor(4096 / size) + 1,
    Math.floor(0x7fffffff / size),
    Math.floor(0x7fffffff / size) - 1,
  ];
};

/** The machines, with the two events a `run` step counts and the event selects a PMC is programmed with. */
const MACHINES: Record<
  string,
  { cycles: string; insts: string; pmcs: number[]; pmds: number[]; evtsel: string[] }
> = {
  '{"arch":"i386","cost":"p4-2006","pmu":"intel-p6"}': {
    cycles: 'CPU_CLK_UNHALTED',
    insts: 'INST_RETIRED',
    pmcs: [0, 1],
    pmds: [0, 1],
    evtsel: ['0x510079', '0x1100c0'],
  },
  '{"arch":"i386-4k","cost":"p4-2006","pmu":"intel-p6"}': {
    cycles: 'CPU_CLK_UNHALTED',
    insts: 'INST_RETIRED',
    pmcs: [0, 1],
    pmds: [0, 1],
    evtsel: ['0x510079', '0x1100c0'],
  },
  '"k8-2006"': {
    cycles: 'CPU_CLK_UNHALTED',
    insts: 'RETIRED_INSTRUCTIONS',
    pmcs: [0, 1, 2, 3],
    pmds: [0, 1, 2, 3],
    evtsel: ['0x510076', '0x5100c0'],
  },
  '"core2-2007"': {
    cycles: 'UNHALTED_CORE_CYCLES',
    insts: 'INSTRUCTIONS_RETIRED',
    pmcs: [0, 1, 16],
    pmds: [0, 1, 16, 17, 18],
    evtsel: ['0x51003c', '0x5100c0'],
  },
};
const machineOf = (p: Program) => MACHINES[JSON.stringify(p.machine)]!;

const PROGRAMS: readonly Program[] = Array.from({ length: 400 }, (_, i) => generateProgram(21, i));
const stepsOf = (p: Program) => (p.steps ?? []) as unknown as Rec[];
const ALL_STEPS = PROGRAMS.flatMap(stepsOf);
const share = (n: number, of: number) => n / of;

describe('fuzz programs: the machine, threads and faults', () => {
  it('uses every machine and ABI, two CPUs, and the machine is one the runner knows', () => {
    const machines = new Set(PROGRAMS.map((p) => JSON.stringify(p.machine)));
    expect([...machines].sort()).toEqual(Object.keys(MACHINES).sort());
    expect(new Set(PROGRAMS.map((p) => p.abi))).toEqual(new Set(['v2.3', 'v2.2', 'v2-compact']));
    for (const p of PROGRAMS) expect(p.cpus).toBe(2);
    // v2.3 is the common case
    expect(share(PROGRAMS.filter((p) => p.abi === 'v2.3').length, PROGRAMS.length)).toBeGreaterThan(0.45);
  });

  it('has two threads of one process, and sometimes a third thread in a second process', () => {
    let two = 0;
    for (const p of PROGRAMS) {
      const threads = p.threads!.map((t) => ({ name: t.name, process: t.process, cpu: t.cpu }));
      expect(threads.slice(0, 2)).toEqual([
        { name: 't0', process: 'p0', cpu: 0 },
        { name: 't1', process: 'p0', cpu: 1 },
      ]);
      expect(p.processes![0]).toEqual({ name: 'p0', uid: 1000 });
      if (p.processes!.length === 2) {
        two++;
        expect(p.processes![1]!.name).toBe('p1');
        expect([1000, 2000]).toContain(p.processes![1]!.uid);
        expect(threads).toHaveLength(3);
        expect(threads[2]!.name).toBe('t2');
        expect(threads[2]!.process).toBe('p1');
        expect([0, 1]).toContain(threads[2]!.cpu);
      } else {
        expect(p.processes).toHaveLength(1);
        expect(threads).toHaveLength(2);
      }
    }
    expect(share(two, PROGRAMS.length)).toBeGreaterThan(0.15);
    expect(share(two, PROGRAMS.length)).toBeLessThan(0.45);
    // both owners occur for the second process
    expect(
      new Set(PROGRAMS.filter((p) => p.processes!.length === 2).map((p) => p.processes![1]!.uid)),
    ).toEqual(new Set([1000, 2000]));
  });

  it('injects copy faults and allocation failures in some programs, and only the argument buffer one turns the comparison off', () => {
    let usercopy = 0;
    let ctxSlab = 0;
    let argSlab = 0;
    let none = 0;
    for (const p of PROGRAMS) {
      const f = p.faults as Rec | undefined;
      if (f === undefined) none++;
      else expect(Object.keys(f).length).toBeGreaterThan(0);
      const uc = f?.fail_usercopy as Rec | undefined;
      if (uc) {
        usercopy++;
        if ('nth' in uc) {
          expect(Object.keys(uc)).toEqual(['nth']);
          expect(uc.nth).toBeGreaterThanOrEqual(1);
          expect(uc.nth).toBeLessThanOrEqual(12);
        } else expect(uc).toEqual({ probability: 5 });
      }
      const slab = f?.failslab as Rec | undefined;
      if (slab?.filter === 'pfm_context_alloc') {
        ctxSlab++;
        expect(Object.keys(slab).sort()).toEqual(['filter', 'nth']);
        expect([1, 2, 3]).toContain(slab.nth);
      } else if (slab) {
        argSlab++;
        expect(slab).toEqual({ probability: 30, filter: 'pfm_get_args' });
      }
      // strategies allocate the argument buffer differently, and sampled schedules differ:
      // then only the invariants apply
      const differential = slab?.filter !== 'pfm_get_args' && p.explore === undefined;
      expect(p.expect, p.name).toEqual(differential ? undefined : { differential: false });
    }
    const n = PROGRAMS.length;
    expect(share(usercopy, n)).toBeGreaterThan(0.12);
    expect(share(usercopy, n)).toBeLessThan(0.4);
    expect(share(ctxSlab, n)).toBeGreaterThan(0.04);
    expect(share(ctxSlab, n)).toBeLessThan(0.25);
    expect(share(argSlab, n)).toBeGreaterThan(0.02);
    expect(share(argSlab, n)).toBeLessThan(0.15);
    expect(share(none, n)).toBeGreaterThan(0.4);
    // both kinds of copy fault occur
    const ucs = PROGRAMS.map((p) => (p.faults as Rec | undefined)?.fail_usercopy as Rec | undefined);
    expect(ucs.some((u) => u && 'nth' in u)).toBe(true);
    expect(ucs.some((u) => u && 'probability' in u)).toBe(true);
  });
});

describe('fuzz programs: argument buffers', () => {
  it('declares three to six vectors of every kind, some with a faulting element', () => {
    const counts = new Set<number>();
    let bounded = 0;
    let total = 0;
    const kinds = new Set<string>();
    for (const p of PROGRAMS) {
      const bufs = p.buffers as unknown as Record<string, Rec>;
      const vs = Object.keys(bufs).filter((k) => k.startsWith('v'));
      counts.add(vs.length);
      expect(vs).toEqual(Array.from({ length: vs.length }, (_, i) => `v${i}`));
      for (const name of vs) {
        const b = bufs[name]!;
        total++;
        kinds.add(b.struct as string);
        expect(Object.keys(SIZES)).toContain(b.struct);
        const count = b.count as number;
        expect(count).toBeGreaterThanOrEqual(1);
        expect(count).toBeLessThanOrEqual(30);
        // at most eight elements are spelled out
        expect((b.value as unknown[]).length).toBe(Math.min(count, 8));
        if (b.boundary) {
          bounded++;
          const bd = b.boundary as Rec;
          expect(bd.element).toBeGreaterThanOrEqual(0);
          expect(bd.element).toBeLessThan(count);
          expect(['unmapped', 'readonly', 'not_present']).toContain(bd.fault);
        }
      }
    }
    expect([...counts].sort()).toEqual([3, 4, 5, 6]);
    expect([...kinds].sort()).toEqual(['pmc', 'pmd', 'setdesc', 'setinfo']);
    expect(share(bounded, total)).toBeGreaterThan(0.1);
    expect(share(bounded, total)).toBeLessThan(0.35);
    const allCounts = PROGRAMS.flatMap((p) =>
      Object.values(p.buffers as unknown as Record<string, Rec>).map((b) => b.count),
    );
    expect(allCounts.some((c) => (c as number) > 8)).toBe(true);
  });

  it('fills the vectors with the machine registers and event selects, and with bad ones', () => {
    const seen: Record<string, Set<string>> = {};
    const note = (key: string, v: unknown) => {
      seen[key] ??= new Set();
      seen[key].add(JSON.stringify(v));
    };
    for (const p of PROGRAMS) {
      const m = machineOf(p);
      for (const [name, b] of Object.entries(p.buffers as unknown as Record<string, Rec>)) {
        if (!name.startsWith('v')) continue;
        (b.value as Rec[]).forEach((e, j) => {
          switch (b.struct) {
            case 'pmc':
              expect([...m.pmcs, 2, 5, 319, 65535]).toContain(e.reg_num);
              expect([...m.evtsel, 0, '0xffffffffffffffff']).toContain(e.reg_value);
              if (m.evtsel.includes(e.reg_value as string)) note('pmc evtsel', true);
              else note('pmc bad value', e.reg_value);
              if (!m.pmcs.includes(e.reg_num as number)) note('pmc bad reg', true);
              if ('reg_flags' in e) note('pmc flags', e.reg_flags);
              if ('reg_set' in e) {
                expect(e.reg_set).toBe(1);
                note('pmc set', e.reg_set);
              }
              for (const k of Object.keys(e))
                expect(['reg_num', 'reg_value', 'reg_flags', 'reg_set']).toContain(k);
              break;
            case 'pmd':
              expect([...m.pmds, 2, 5, 319]).toContain(e.reg_num);
              expect([0, j, -1000, -100000, '0x7fffff00', '-1']).toContain(e.reg_value);
              note('pmd value', e.reg_value === j ? 'j' : e.reg_value);
              if ('reg_flags' in e) {
                note('pmd flags', e.reg_flags);
                expect(e.reg_long_reset).toBe(-1000);
                expect(e.reg_short_reset).toBe(-2000);
              }
              if ('reg_set' in e) note('pmd set', e.reg_set);
              if ('reg_reset_pmds' in e) note('pmd reset', e.reg_reset_pmds);
              if ('reg_ovfl_switch_cnt' in e) expect(e.reg_ovfl_switch_cnt).toBe(1);
              note('pmd keys', Object.keys(e).sort());
              break;
            case 'setdesc':
              expect(Object.keys(e).sort()).toEqual(['set_flags', 'set_id', 'set_id_next', 'set_timeout']);
              expect([0, 1, 2, 3, 65535]).toContain(e.set_id);
              expect([0, 1, 2, 3, 4, 0x100]).toContain(e.set_flags);
              expect([0, 1, 2]).toContain(e.set_id_next);
              expect([0, 1000, 4000000]).toContain(e.set_timeout);
              break;
            case 'setinfo':
              expect(Object.keys(e)).toEqual(['set_id']);
              expect([0, 1, 2, 7]).toContain(e.set_id);
              note('setinfo', e.set_id);
              break;
          }
        });
      }
    }
    expect(seen['pmc bad value']).toEqual(new Set(['0', '"0xffffffffffffffff"']));
    expect(seen['pmc bad reg']).toBeDefined();
    expect(seen['pmc set']).toEqual(new Set(['1']));
    expect(seen['pmc flags']).toEqual(new Set(['4', '8', '"0x80000000"']));
    expect(seen['pmd value']).toEqual(new Set(['0', '"j"', '-1000', '-100000', '"0x7fffff00"', '"-1"']));
    expect(seen['pmd flags']).toEqual(new Set(['"REGFL_OVFL_NOTIFY"', '0', '4']));
    expect(seen['pmd set']).toEqual(new Set(['1', '2']));
    expect(seen['pmd reset']).toEqual(new Set(['[1]', '[2]', '[4]', '["0x10000"]']));
    expect([...seen['pmd keys']!]).toContain(JSON.stringify(['reg_num', 'reg_value']));
    expect([...seen['pmd keys']!].some((k) => k.includes('reg_ovfl_switch_cnt'))).toBe(true);
  });

  it('vector calls mostly pass a buffer of their kind with its count, otherwise bad pointers and boundary counts', () => {
    let vector = 0;
    let ownKind = 0;
    let withBuffer = 0;
    let ownCount = 0;
    const others = new Set<unknown>();
    const counts = new Set<number>();
    for (const p of PROGRAMS) {
      const bufs = p.buffers as unknown as Record<string, Rec>;
      for (const s of stepsOf(p)) {
        const kind = CALL_KIND[s.call as string];
        if (!kind) continue;
        vector++;
        const buf = typeof s.arg === 'string' ? bufs[s.arg] : undefined;
        if (buf) {
          withBuffer++;
          if (buf.struct === kind) ownKind++;
          if (s.count === buf.count) ownCount++;
          else expect(boundaryCounts(kind), JSON.stringify(s)).toContain(s.count);
        } else {
          others.add(s.arg);
          expect(boundaryCounts(kind), JSON.stringify(s)).toContain(s.count);
        }
        if (s.count !== buf?.count) counts.add(s.count as number);
      }
    }
    expect(share(ownKind, vector)).toBeGreaterThan(0.45);
    expect(share(ownCount, withBuffer)).toBeGreaterThan(0.45);
    expect(others).toEqual(new Set([null, 'unmapped', 'readonly', 'kernel']));
    // boundary counts: -1, a page's worth and one more, the largest that does not overflow
    expect(counts).toContain(-1);
    for (const kind of ['pmd', 'pmc'] as const) {
      expect(counts).toContain(Math.floor(4096 / SIZES[kind]) + 1);
      expect(counts).toContain(Math.floor(0x7fffffff / SIZES[kind]));
      expect(counts).toContain(Math.floor(0x7fffffff / SIZES[kind]) - 1);
    }
    expect(counts).toContain(Math.floor(4096 / SIZES.pmd));
    expect(counts).toContain(8);
  });
});

describe('fuzz programs: the steps', () => {
  it('start with a context on t0 and mix every kind of call', () => {
    const FLAGS = ['0', 'FL_OVFL_NO_MSG', 'FL_SYSTEM_WIDE'];
    let second = 0;
    for (const p of PROGRAMS) {
      const s = stepsOf(p);
      expect(s[0]).toEqual({ call: 'pfm_create_context', thread: 't0', flags: s[0]!.flags });
      expect(FLAGS).toContain(s[0]!.flags);
      if (s[1]!.call === 'pfm_create_context') second++;
    }
    expect(share(second, PROGRAMS.length)).toBeGreaterThan(0.4);
    expect(new Set(ALL_STEPS.filter((s) => s.call === 'pfm_create_context').map((s) => s.flags))).toEqual(
      new Set(FLAGS),
    );
    // contexts are also created later in the program
    expect(
      PROGRAMS.some((p) => stepsOf(p).findIndex((s, i) => i > 2 && s.call === 'pfm_create_context') > 0),
    ).toBe(true);
    const kinds = new Map<string, number>();
    for (const s of ALL_STEPS) {
      const k = (s.call as string | undefined) ?? Object.keys(s).find((x) => x !== 'thread' && x !== 'uid')!;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    expect([...kinds.keys()].sort()).toEqual(
      [
        'close',
        'dup',
        'exit',
        'pfm_create_context',
        'pfm_create_evtsets',
        'pfm_delete_evtsets',
        'pfm_getinfo_evtsets',
        'pfm_load_context',
        'pfm_read_pmds',
        'pfm_restart',
        'pfm_start',
        'pfm_stop',
        'pfm_unload_context',
        'pfm_write_pmcs',
        'pfm_write_pmds',
        'poll',
        'ptrace_attach',
        'ptrace_detach',
        'read',
        'run',
        'set_nonblock',
        'sysfs_read',
        'sysfs_write',
      ].sort(),
    );
    // vector calls are the bulk of a program
    const vector = ALL_STEPS.filter((s) => CALL_KIND[s.call as string]).length;
    expect(share(vector, ALL_STEPS.length)).toBeGreaterThan(0.3);
    expect(share(vector, ALL_STEPS.length)).toBeLessThan(0.45);
    expect(kinds.get('ptrace_attach')!).toBeGreaterThan(kinds.get('ptrace_detach')!);
  });

  it('has four to twenty-five random steps after the first context', () => {
    const sizes = PROGRAMS.map((p) => {
      const s = stepsOf(p);
      // a read comes with its set_nonblock: one roll
      return s.length - 1 - s.filter((x) => x.call === 'read').length;
    });
    // the optional second context counts in this figure: 4..26
    expect(Math.min(...sizes)).toBe(4);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(26);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(25);
  });

  it('calls on plausible and bogus fds with the right parameters for each call', () => {
    const FDS = [0, 1, 2, 99, -1];
    const fds = new Set<unknown>();
    for (const p of PROGRAMS) {
      const s = stepsOf(p);
      const m = machineOf(p);
      const names = p.threads!.map((t) => t.name);
      s.forEach((x, i) => {
        if ('fd' in x) {
          fds.add(x.fd);
          expect(FDS).toContain(x.fd);
        }
        if (x.call === 'pfm_load_context') {
          expect(['$t0.tid', '$t1.tid', '$t2.tid', '424242', '0', '1']).toContain(x.pid);
          if (x.pid === '$t2.tid') expect(names).toContain('t2');
          expect([0, 1]).toContain(x.set);
        }
        if (
          ['pfm_start', 'pfm_stop', 'pfm_restart', 'pfm_unload_context', 'poll', 'dup', 'close'].includes(
            x.call as string,
          )
        )
          expect(Object.keys(x).sort()).toEqual(['call', 'fd', 'thread']);
        if ('run' in x) {
          expect([1000, 5000, 100_000, 3_000_000]).toContain(x.run);
          const ev = x.events as Record<string, number>;
          expect(ev[m.cycles]).toBe(1);
          const keys = Object.keys(ev);
          if (keys.length === 2) expect([0.5, 0.8, 1.5]).toContain(ev[m.insts]);
          else expect(keys).toEqual([m.cycles]);
        }
        if (x.call === 'read') {
          const prev = s[i - 1]!;
          expect(prev).toEqual({ call: 'set_nonblock', thread: x.thread, fd: x.fd });
          if ('size' in x) expect([0, 40, 56, 64]).toContain(x.size);
        }
        if (x.call === 'set_nonblock') expect(s[i + 1]!.call).toBe('read');
        if ('ptrace_attach' in x || 'ptrace_detach' in x) {
          const target = x.ptrace_attach ?? x.ptrace_detach;
          expect(names).toContain(target);
          expect(target).not.toBe(x.thread);
        }
        if ('sysfs_write' in x) {
          expect(['arg_mem_max', 'arg_size_max']).toContain(x.sysfs_write);
          expect(['4096', '8192', '4095', '65536', 'x']).toContain(x.value);
          expect(x.uid).toBe(0);
        }
        if ('sysfs_read' in x)
          expect(['task_sessions_count', 'sys_sessions_count', 'version']).toContain(x.sysfs_read);
      });
    }
    expect(fds).toEqual(new Set(FDS));
    const runs = ALL_STEPS.filter((x) => 'run' in x);
    expect(runs.some((x) => Object.keys(x.events as Rec).length === 2)).toBe(true);
    expect(runs.some((x) => Object.keys(x.events as Rec).length === 1)).toBe(true);
    expect(ALL_STEPS.some((x) => x.pid === '$t2.tid')).toBe(true);
    expect(ALL_STEPS.some((x) => x.call === 'read' && 'size' in x)).toBe(true);
    expect(ALL_STEPS.some((x) => x.call === 'read' && !('size' in x))).toBe(true);
  });

  it('lets t0 end another thread in the second half, and the dead thread calls nothing after', () => {
    let exits = 0;
    for (const p of PROGRAMS) {
      const s = stepsOf(p);
      const names = p.threads!.map((t) => t.name);
      const dead = new Set<string>();
      for (const [i, x] of s.entries()) {
        expect(dead.has(x.thread as string), `${p.name} step ${i}`).toBe(false);
        for (const k of ['ptrace_attach', 'ptrace_detach']) if (k in x) expect(names).toContain(x[k]);
        if ('exit' in x) {
          exits++;
          expect(x.thread).toBe('t0');
          expect(x.exit).not.toBe('t0');
          expect(dead.has(x.exit as string)).toBe(false);
          // not before the middle of the program
          expect(i).toBeGreaterThan(s.length / 3);
          dead.add(x.exit as string);
        }
      }
      // a dead thread has no concurrent part either
      for (const t of p.threads!) if (dead.has(t.name)) expect(t.steps).toBeUndefined();
    }
    expect(exits).toBeGreaterThan(5);
  });
});

describe('fuzz programs: the concurrent part', () => {
  it('sometimes races t0 and t1 on fd 0, each with its own vector, explored with 24 random schedules', () => {
    const concurrent = PROGRAMS.filter((p) => p.explore);
    expect(share(concurrent.length, PROGRAMS.length)).toBeGreaterThan(0.2);
    expect(share(concurrent.length, PROGRAMS.length)).toBeLessThan(0.5);
    const lengths = new Set<number>();
    const sizes = new Set<number>();
    for (const p of PROGRAMS) {
      const m = machineOf(p);
      if (!p.explore) {
        for (const t of p.threads!) expect(t.steps).toBeUndefined();
        expect(Object.keys(p.buffers!).filter((b) => b.startsWith('c_'))).toEqual([]);
        continue;
      }
      expect(p.explore).toMatchObject({ mode: 'random', schedules: 24 });
      expect(p.expect).toEqual({ differential: false });
      const withSteps = p.threads!.filter((t) => t.steps).map((t) => t.name);
      expect(withSteps.length).toBeGreaterThan(0);
      for (const t of p.threads!) {
        if (!t.steps) continue;
        expect(['t0', 't1']).toContain(t.name);
        lengths.add(t.steps.length);
        const own = `c_${t.name}`;
        const buf = (p.buffers as unknown as Record<string, Rec>)[own]!;
        const value = buf.value as Rec[];
        sizes.add(value.length);
        expect(buf.struct).toBe('pmd');
        // distinct values per thread: a copy back of the other thread's bytes shows
        value.forEach((e, j) => {
          expect(e.reg_value).toBe((t.name === 't0' ? 0x1000 : 0x2000) + j);
          expect(m.pmds).toContain(e.reg_num);
        });
        for (const c of t.steps as unknown as Rec[]) {
          expect(c.fd).toBe(0);
          expect(c.arg).toBe(own);
          if (c.call === 'pfm_write_pmds') expect(c.expect).toEqual({ unchanged: true });
          else {
            expect(c.call).toBe('pfm_read_pmds');
            expect(c.expect).toBeUndefined();
          }
        }
      }
    }
    expect([...lengths].sort()).toEqual([1, 2]);
    expect([...sizes].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('is forced on or off by the option, and races close() only with closeRaces', () => {
    let closes = 0;
    for (let i = 0; i < 40; i++) {
      const off = generateProgram(4, i, { concurrent: false });
      expect(off.explore).toBeUndefined();
      for (const t of off.threads!) expect(t.steps).toBeUndefined();
      const on = generateProgram(4, i, { concurrent: true });
      expect(on.explore).toBeDefined();
      expect(on.threads![0]!.steps!.length).toBeGreaterThan(0);
      for (const t of on.threads!) for (const c of t.steps ?? []) expect((c as Rec).call).not.toBe('close');
      const races = generateProgram(4, i, { concurrent: true, closeRaces: true });
      for (const t of races.threads!) {
        for (const c of (t.steps ?? []) as unknown as Rec[]) {
          if (c.call !== 'close') continue;
          closes++;
          expect(t.name).toBe('t0');
          expect(c).toEqual({ call: 'close', fd: 0 });
        }
      }
    }
    expect(closes).toBeGreaterThan(3);
  });

  it('every program is accepted by the runner and passes on kmalloc', () => {
    for (let i = 0; i < 16; i++) {
      const p = generateProgram(8, i);
      const r = runScenario(scenarioFromData({ ...p, strategy: ['kmalloc'] }, p.name));
      expect(
        r.tests.map((t) => [t.strategy, t.failures]),
        p.name,
      ).toEqual([['kmalloc', []]]);
    }
  });
});

/** A failing program with something of everything around the one step that matters. */
function bloated(): Program {
  const pmd = (v: number) => ({ struct: 'pmd', value: [{ reg_num: 0, reg_value: v }] });
  return {
    name: 'bloated',
    machine: 'k8-2006',
    abi: 'v2.2',
    cpus: 2,
    faults: { fail_usercopy: { nth: 3 }, failslab: { nth: 1, filter: 'pfm_context_alloc' } },
    processes: [
      { name: 'p0', uid: 1000 },
      { name: 'p1', uid: 2000 },
    ],
    threads: [
      {
        name: 't0',
        process: 'p0',
        cpu: 0,
        steps: [{ call: 'pfm_write_pmds', fd: 0, arg: 'c_t0', expect: { unchanged: true } }],
      },
      { name: 't1', process: 'p0', cpu: 1, steps: [{ call: 'pfm_read_pmds', fd: 0, arg: 'c_t1' }] },
      { name: 't2', process: 'p1', cpu: 0 },
    ],
    buffers: {
      v0: pmd(1),
      v1: { struct: 'pmc', value: [{ reg_num: 0, reg_value: '0x510076' }] },
      c_t0: pmd(2),
      c_t1: pmd(3),
    },
    steps: [
      { call: 'pfm_create_context', thread: 't0', flags: 'FL_OVFL_NO_MSG' },
      { call: 'pfm_write_pmcs', thread: 't0', fd: 0, arg: 'v1', count: 1 },
      { call: 'pfm_load_context', thread: 't0', fd: 0, pid: '$t0.tid', set: 0 },
      { call: 'pfm_write_pmds', thread: 't1', fd: 0, arg: 'v0', count: 1 },
      { call: 'pfm_restart', thread: 't1', fd: 0 },
      { call: 'set_nonblock', thread: 't0', fd: 0 },
      { call: 'read', thread: 't0', fd: 0, size: 40 },
      { call: 'poll', thread: 't0', fd: 1 },
    ],
    after: [
      { call: 'close', thread: 't0', fd: 0 },
      { call: 'dup', thread: 't0', fd: 0 },
    ],
    explore: { mode: 'random', schedules: 24, seed: 1 },
    expect: { differential: false },
  } as unknown as Program;
}

const allSteps = (d: Program) =>
  [
    ...(d.steps ?? []),
    ...(d.after ?? []),
    ...(d.threads ?? []).flatMap((t) => t.steps ?? []),
  ] as unknown as Rec[];
const has = (d: Program, f: (s: Rec) => boolean) => allSteps(d).some(f);
const isRestartOnT1 = (s: Rec) => s.call === 'pfm_restart' && s.thread === 't1';

/** A failure predicate that counts the checks and refuses to go on forever. */
function counted(pred: (d: Program) => boolean) {
  const c = {
    calls: 0,
    fails: (d: Program) => {
      if (++c.calls > 3000) throw new Error('shrinking does not converge');
      return pred(d);
    },
  };
  return c;
}

describe('shrinking', () => {
  it('keeps only what the failure needs: one step, the default machine and ABI, no faults, threads, buffers or exploration', () => {
    const input = bloated();
    const before = structuredClone(input);
    const c = counted((d) => has(d, isRestartOnT1));
    const small = shrinkProgram(input, c.fails);
    expect(input).toEqual(before); // the input is not modified
    expect(small).toEqual({
      name: 'bloated',
      machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
      abi: 'v2.3',
      cpus: 2,
      processes: [{ name: 'p0', uid: 1000 }],
      threads: [
        { name: 't0', process: 'p0', cpu: 0 },
        { name: 't1', process: 'p0', cpu: 1 },
      ],
      buffers: {},
      steps: [{ call: 'pfm_restart', thread: 't1', fd: 0 }],
      after: [],
      expect: { differential: false },
    });
  });

  it('keeps the faults, ABI, machine, threads, buffers and parameters the failure depends on', () => {
    const c = counted(
      (d) =>
        has(d, (s) => s.call === 'pfm_load_context' && s.pid === '$t0.tid' && s.set === 0) &&
        has(d, (s) => s.call === 'read' && s.size === 40) &&
        has(d, (s) => s.call === 'pfm_create_context' && s.flags === 'FL_OVFL_NO_MSG') &&
        has(d, (s) => s.call === 'pfm_read_pmds' && s.arg === 'c_t1') &&
        (d.faults as Rec | undefined)?.failslab !== undefined &&
        d.abi === 'v2.2' &&
        d.machine === 'k8-2006',
    );
    const small = shrinkProgram(bloated(), c.fails);
    expect(small.faults).toEqual({ failslab: { nth: 1, filter: 'pfm_context_alloc' } });
    expect(small.abi).toBe('v2.2');
    expect(small.machine).toBe('k8-2006');
    expect(small.steps).toEqual([
      { call: 'pfm_create_context', thread: 't0', flags: 'FL_OVFL_NO_MSG' },
      { call: 'pfm_load_context', thread: 't0', fd: 0, pid: '$t0.tid', set: 0 },
      { call: 'read', thread: 't0', fd: 0, size: 40 },
    ]);
    // t1's concurrent part stays, and so does its exploration; t0's goes
    expect(small.threads).toEqual([
      { name: 't0', process: 'p0', cpu: 0 },
      { name: 't1', process: 'p0', cpu: 1, steps: [{ call: 'pfm_read_pmds', fd: 0, arg: 'c_t1' }] },
    ]);
    expect(small.explore).toEqual({ mode: 'random', schedules: 24, seed: 1 });
    expect(small.buffers).toEqual({ c_t1: { struct: 'pmd', value: [{ reg_num: 0, reg_value: 3 }] } });
    expect(small.processes).toEqual([{ name: 'p0', uid: 1000 }]);
  });

  it('never drops a thread a step still names, by name or through $thread.tid', () => {
    const p = bloated();
    (p.steps as unknown as Rec[]).push({ ptrace_attach: 't1', thread: 't0' });
    // t0's concurrent part names t2
    (p.threads![0]!.steps as unknown as Rec[]).push({ call: 'pfm_load_context', fd: 0, pid: '$t2.tid' });
    const need = (d: Program) =>
      has(d, (s) => s.ptrace_attach === 't1') && has(d, (s) => s.pid === '$t2.tid');
    const small = shrinkProgram(p, counted(need).fails);
    expect(small.threads!.map((t) => t.name)).toEqual(['t0', 't1', 't2']);
    expect(small.processes!.map((x) => x.name)).toEqual(['p0', 'p1']);
    expect(() => scenarioFromData(small, 'x')).not.toThrow();
    // a thread used only by its process is dropped with the process
    const small2 = shrinkProgram(p, counted((d) => has(d, (s) => s.ptrace_attach === 't1')).fails);
    expect(small2.threads!.map((t) => t.name)).toEqual(['t0', 't1']);
    expect(small2.processes!.map((x) => x.name)).toEqual(['p0']);
  });

  it('drops the concurrent parts one thread at a time, and the exploration with the last one', () => {
    const needT0 = shrinkProgram(
      bloated(),
      counted((d) => has(d, (s) => s.call === 'pfm_write_pmds' && s.arg === 'c_t0')).fails,
    );
    expect(needT0.threads!.map((t) => [t.name, t.steps?.length])).toEqual([['t0', 1]]);
    expect(needT0.explore).toBeDefined();
    const none = shrinkProgram(bloated(), counted((d) => has(d, isRestartOnT1)).fails);
    expect(none.threads!.every((t) => t.steps === undefined)).toBe(true);
    expect(none.explore).toBeUndefined();
  });

  it('keeps the first process even when no thread names it', () => {
    const p = bloated();
    for (const t of p.threads!) delete (t as { process?: string }).process;
    const small = shrinkProgram(p, counted((d) => has(d, isRestartOnT1)).fails);
    expect(small.processes).toEqual([{ name: 'p0', uid: 1000 }]);
    expect(small.threads!.map((t) => t.name)).toEqual(['t0', 't1']);
  });

  it.each([
    ['the concurrent parts', (d: Program) => !d.threads!.some((t) => t.steps)],
    ['a fault', (d: Program) => d.faults === undefined],
    ['the ABI', (d: Program) => d.abi === 'v2.3'],
    ['the machine', (d: Program) => typeof d.machine === 'object'],
    ['an unused thread', (d: Program) => d.threads!.length === 2],
    ['a parameter', (d: Program) => has(d, (s) => isRestartOnT1(s) && s.expect === undefined)],
    ['a step after the concurrent part', (d: Program) => (d.after ?? []).length === 0],
  ])('goes round again after simplifying %s, which can make a step removable', (_, simplified) => {
    // only `simplified` can change in the first round; the poll step goes in the second
    const p = {
      name: 'rounds',
      machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
      abi: 'v2.3',
      cpus: 2,
      processes: [{ name: 'p0', uid: 1000 }],
      threads: [
        { name: 't0', process: 'p0', cpu: 0 },
        { name: 't1', process: 'p0', cpu: 1 },
      ],
      steps: [
        { call: 'pfm_restart', thread: 't1', fd: 0 },
        { call: 'poll', thread: 't0', fd: 0 },
      ],
    } as unknown as Program;
    const bloat = bloated();
    if (_ === 'the concurrent parts') {
      p.threads![0]!.steps = [{ call: 'poll', fd: 0 }] as never;
      p.explore = bloat.explore;
    }
    if (_ === 'a fault') p.faults = { fail_usercopy: { nth: 3 } } as never;
    if (_ === 'the ABI') p.abi = 'v2.2';
    if (_ === 'the machine') p.machine = 'k8-2006';
    if (_ === 'an unused thread') {
      p.processes!.push({ name: 'p1', uid: 2000 } as never);
      p.threads!.push({ name: 't2', process: 'p1', cpu: 0 });
    }
    if (_ === 'a parameter') (p.steps![0] as unknown as Rec).expect = { ret: 0 };
    if (_ === 'a step after the concurrent part') p.after = [{ call: 'dup', thread: 't0', fd: 5 }] as never;
    expect(simplified(p)).toBe(false);
    const c = counted(
      (d) =>
        has(d, isRestartOnT1) &&
        (simplified(d) || has(d, (s) => s.call === 'poll' && s.thread === 't0' && s.fd === 0)),
    );
    const small = shrinkProgram(p, c.fails);
    expect(simplified(small)).toBe(true);
    expect(small.steps).toEqual([{ call: 'pfm_restart', thread: 't1', fd: 0 }]);
  });

  it('stops at a minimal program after a few checks', () => {
    const minimal = shrinkProgram(bloated(), counted((d) => has(d, isRestartOnT1)).fails);
    const c = counted((d) => has(d, isRestartOnT1));
    expect(shrinkProgram(minimal, c.fails)).toEqual(minimal);
    expect(c.calls).toBeLessThanOrEqual(3);
  });

  it('removes irrelevant steps in chunks, with far fewer checks than one per step', () => {
    const p = bloated();
    const filler = Array.from({ length: 64 }, (_, i) => ({ call: 'poll', thread: 't0', fd: i }));
    p.steps = [
      ...filler.slice(0, 40),
      { call: 'pfm_restart', thread: 't1', fd: 0 },
      ...filler.slice(40),
    ] as never;
    delete p.after;
    const c = counted((d) => has(d, isRestartOnT1));
    const small = shrinkProgram(p, c.fails);
    expect(small.steps).toEqual([{ call: 'pfm_restart', thread: 't1', fd: 0 }]);
    expect(c.calls).toBeLessThan(40);
  });

  it('stops when its time budget runs out mid-way, keeping the smallest failing program found so far', () => {
    let clock = 1000;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      let calls = 0;
      const small = shrinkProgram(
        bloated(),
        (d) => {
          calls++;
          // the second check is slow: the budget is spent when it returns
          if (calls === 2) clock = 5001;
          return has(d, isRestartOnT1);
        },
        5000,
      );
      expect(calls).toBe(2);
      // the first check removed the first half of the steps; nothing was tried after the second
      expect(small.steps).toEqual(bloated().steps!.slice(4));
      expect(small.abi).toBe('v2.2');
    } finally {
      now.mockRestore();
    }
  });

  it('shrinks a program with only a concurrent part, or only sequential steps on the default thread', () => {
    const concurrent = bloated();
    delete concurrent.steps;
    delete concurrent.after;
    concurrent.threads![1]!.steps!.push({ call: 'pfm_write_pmds', fd: 0, arg: 'c_t1' } as never);
    const onlyT1 = shrinkProgram(
      concurrent,
      counted((d) => has(d, (s) => s.call === 'pfm_read_pmds' && s.arg === 'c_t1')).fails,
    );
    expect(onlyT1.steps).toBeUndefined();
    expect(onlyT1.threads!.map((t) => [t.name, t.steps])).toEqual([
      ['t0', undefined],
      ['t1', [{ call: 'pfm_read_pmds', fd: 0, arg: 'c_t1' }]],
    ]);
    const sequential = {
      name: 'sequential',
      machine: 'k8-2006',
      steps: [
        { call: 'pfm_create_context', flags: '0' },
        { call: 'poll', fd: 0 },
        { call: 'pfm_restart', fd: 0 },
      ],
    } as unknown as Program;
    const c = counted((d) => has(d, (s) => s.call === 'pfm_restart'));
    expect(shrinkProgram(sequential, c.fails)).toEqual({
      name: 'sequential',
      machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
      abi: 'v2.3',
      steps: [{ call: 'pfm_restart', fd: 0 }],
    });
  });

  it('gives up when its deadline has passed, with only unused buffers and processes dropped', () => {
    const p = bloated();
    (p.buffers as Rec).spare = { struct: 'pmd', value: [{ reg_num: 1, reg_value: 9 }] };
    p.processes!.push({ name: 'p9', uid: 3000 } as never);
    const c = counted(() => true);
    const small = shrinkProgram(p, c.fails, 0);
    expect(c.calls).toBe(0);
    expect(small).toEqual(bloated());
  });
});

describe('failure signatures', () => {
  it('names the kind of failure so that shrinking keeps the same problem', () => {
    expect(failureSignature('KernelBug use-after-free: read of 8 B (thread T1 t1)')).toBe(
      'bug:use-after-free',
    );
    expect(failureSignature('leak: after closing every fd and exiting every thread, still live: x')).toBe(
      'leak',
    );
    expect(failureSignature('differs from kmalloc: step 3 returned -14, not 0')).toBe('differs');
    expect(failureSignature('the simulator threw TypeError: x is undefined (a < b)')).toBe('threw:TypeError');
    expect(failureSignature('steps[2]: pfm_write_pmds: the buffer changed (expected it unchanged)')).toBe(
      'corrupted-argument',
    );
    expect(failureSignature('steps[4]: thread t1 killed by a KernelBug (stack-overflow)')).toBe('killed');
    expect(failureSignature('steps[1]: expected ret 0, got -22 (EINVAL)')).toBe('failure');
    // the more specific kind wins
    expect(failureSignature('differs from kmalloc: leak: 1 object')).toBe('leak');
    expect(failureSignature('differs from kmalloc: the simulator threw RangeError: x')).toBe('differs');
    expect(failureSignature('the simulator threw Error: the buffer changed')).toBe('threw:Error');
    expect(failureSignature('the buffer changed; thread t1 killed by a KernelBug (oops)')).toBe(
      'corrupted-argument',
    );
  });
});

describe('checking a program', () => {
  const program = () => generateProgram(3, 0);

  it('runs it under the given strategies, the extra ones included, and reports the first failure', () => {
    const p = program();
    const clean = checkProgram(p, ['kmalloc'], EXTRA);
    expect(clean).toEqual({
      failure: null,
      signature: null,
      steps: p.steps!.length,
      tests: expect.any(Array),
    });
    // the runs themselves, one per strategy, for the campaign's counts
    expect(clean.tests.map((t) => [t.strategy, t.passed])).toEqual([['kmalloc', true]]);
    const leak = checkProgram(p, ['kmalloc', 'leaky'], EXTRA);
    expect(leak.signature).toBe('leak');
    expect(leak.failure).toMatch(/^\[leaky\] leak: after closing every fd/);
    const uaf = checkProgram(p, ['free-before-copy-back', 'leaky'], EXTRA);
    expect(uaf.signature).toBe('bug:use-after-free');
    expect(uaf.failure).toMatch(/^\[free-before-copy-back\] KernelBug use-after-free: /);
  });

  it('counts the steps of every part: sequential, concurrent and after', () => {
    const p = generateProgram(1, 0, { concurrent: true });
    (p as Rec).after = [{ call: 'close', thread: 't0', fd: 0 }];
    const concurrent = p.threads!.reduce((a, t) => a + (t.steps?.length ?? 0), 0);
    expect(concurrent).toBeGreaterThan(0);
    expect(checkProgram(p, ['kmalloc']).steps).toBe(p.steps!.length + 1 + concurrent);
    // a program with only its concurrent part
    const { steps: _, ...concurrentOnly } = p;
    expect(checkProgram(concurrentOnly as Program, ['kmalloc']).steps).toBe(1 + concurrent);
  });

  it('a program the runner cannot load or run is not a finding', () => {
    const p = program();
    const unknownBuffer = {
      ...p,
      steps: [...p.steps!, { call: 'pfm_read_pmds', thread: 't0', fd: 0, arg: 'nosuch' }],
    };
    // the runner refuses it at its step: one failed run, no syscall counted as a finding
    expect(checkProgram(unknownBuffer as Program, ['kmalloc'])).toEqual({
      failure: null,
      signature: null,
      steps: p.steps!.length + 1,
      tests: [expect.objectContaining({ strategy: '-', passed: false })],
    });
    const invalid = { ...p, cpus: 'two', after: [{ call: 'close', thread: 't0', fd: 0 }] };
    // not even a scenario: nothing ran
    expect(checkProgram(invalid as unknown as Program, ['kmalloc'])).toEqual({
      failure: null,
      signature: null,
      steps: p.steps!.length + 1,
      tests: [],
    });
    // an unknown strategy is the runner's error, not the program's
    expect(checkProgram(p, ['leaky']).failure).toBeNull();
  });
});

describe('the scenario file', () => {
  it('has the header as comments, the top level in block style and every step, buffer and process on one line', () => {
    const d = {
      name: 'n',
      machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
      abi: 'v2.2',
      strategy: ['kmalloc'],
      faults: { failslab: { nth: 1, filter: 'pfm_context_alloc' } },
      processes: [
        { name: 'p0', uid: 1000 },
        { name: 'p1', uid: 2000 },
      ],
      threads: [
        { name: 't0', process: 'p0', cpu: 0, steps: [{ call: 'pfm_read_pmds', fd: 0, arg: 'c_t0' }] },
        { name: 't1', process: 'p1', cpu: 1 },
      ],
      buffers: { v0: { struct: 'pmd', value: [{ reg_num: 0, reg_value: 1 }], count: 40 } },
      steps: [
        { call: 'pfm_create_context', thread: 't0', flags: 'FL_OVFL_NO_MSG' },
        { run: 5000, events: { CPU_CLK_UNHALTED: 1 }, thread: 't0' },
      ],
      after: [{ call: 'close', thread: 't0', fd: 0 }],
      explore: { mode: 'exhaustive', max_preemptions: 2 },
      expect: { differential: false },
    } as unknown as Program;
    const text = renderProgram(d, ['Found by: x', '', 'Reproduce: y']);
    expect(text).toBe(
      [
        '# Found by: x',
        '#',
        '# Reproduce: y',
        'name: n',
        'machine: { arch: i386, cost: p4-2006, pmu: intel-p6 }',
        'abi: v2.2',
        'strategy:',
        '  - kmalloc',
        'faults: { failslab: { nth: 1, filter: pfm_context_alloc } }',
        'processes:',
        '  - { name: p0, uid: 1000 }',
        '  - { name: p1, uid: 2000 }',
        'threads:',
        '  - name: t0',
        '    process: p0',
        '    cpu: 0',
        '    steps:',
        '      - { call: pfm_read_pmds, fd: 0, arg: c_t0 }',
        '  - name: t1',
        '    process: p1',
        '    cpu: 1',
        'buffers:',
        '  v0: { struct: pmd, value: [ { reg_num: 0, reg_value: 1 } ], count: 40 }',
        'steps:',
        '  - { call: pfm_create_context, thread: t0, flags: FL_OVFL_NO_MSG }',
        '  - { run: 5000, events: { CPU_CLK_UNHALTED: 1 }, thread: t0 }',
        'after:',
        '  - { call: close, thread: t0, fd: 0 }',
        'explore: { mode: exhaustive, max_preemptions: 2 }',
        'expect: { differential: false }',
        '',
      ].join('\n'),
    );
    expect(parse(text)).toEqual(d);
  });

  it('never folds a long step over two lines', () => {
    const long = 'x'.repeat(200);
    const d = {
      name: long,
      machine: 'k8-2006',
      steps: [{ call: 'poll', thread: long, fd: 0 }],
    } as unknown as Program;
    const text = renderProgram(d, []);
    expect(text.split('\n')).toEqual([
      '',
      `name: ${long}`,
      'machine: k8-2006',
      'steps:',
      `  - { call: poll, thread: ${long}, fd: 0 }`,
      '',
    ]);
  });
});

describe('runFuzz', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'pfmsim-fuzz-more-'));

  it('reports a planted use after free once, shrunk, in a file that reproduces it, and logs what it does', () => {
    const out = tmp();
    let log = '';
    const before = performance.now();
    const r = runFuzz({
      seconds: 60,
      seed: 3,
      out,
      strategies: ['free-before-copy-back'],
      extraStrategies: EXTRA,
      maxPrograms: 3,
      log: (t) => {
        log += t;
      },
    });
    const wall = (performance.now() - before) / 1000;
    expect(r.programs).toBe(3);
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.seconds).toBeLessThanOrEqual(wall);
    // every program hits it: one finding per kind of failure
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    const file = join(out, 'fuzz-3-0-bug-use-after-free.yaml');
    expect(f.file).toBe(file);
    expect(readdirSync(out)).toEqual(['fuzz-3-0-bug-use-after-free.yaml']);
    expect(f.signature).toBe('bug:use-after-free');
    const original = checkProgram(generateProgram(3, 0), ['free-before-copy-back'], EXTRA);
    expect(f.steps).toBeLessThan(original.steps);
    expect(f.steps).toBeLessThanOrEqual(3);
    const lines = log.split('\n');
    expect(lines[0]).toBe('fuzz: seed 3, 60 s, strategies free-before-copy-back');
    // the syscalls made before it was found: program 0's, under the one strategy
    expect(lines[1]).toBe(
      `program 0 (after ${original.tests[0]!.syscalls} syscalls): ${original.failure!.split('\n')[0]}`,
    );
    expect(lines[2]).toBe(`  shrinking ${original.steps} steps...`);
    expect(lines[3]).toBe(`  wrote ${file} (${f.steps} steps)`);
    expect(lines[4]).toBe(`fuzz: 3 programs in ${r.seconds.toFixed(1)} s, 1 finding`);
    // then the syscalls made, in all and by the one strategy
    expect(lines[5]).toMatch(/^syscalls: [\d,]+ in \d+\.\d s, [\d,]+\/s$/);
    expect(lines[6]).toMatch(/^ {2}free-before-copy-back +[\d,]+ syscalls +[\d,]+\/s$/);
    expect(lines.slice(7)).toEqual(['']);

    const text = readFileSync(file, 'utf8');
    const header = text.split('\n').slice(0, 5);
    expect(header).toEqual([
      `# Found by: pfmsim-test fuzz --seed 3 (program 0), shrunk from ${original.steps} to ${f.steps} steps.`,
      `# Failure: ${f.failure.split('\n')[0]}`,
      '# Running it fails the same way: the invariants (no KernelBug, no leak after closing every fd and',
      '# exiting every thread, strategies agree, concurrent callers get their own arguments back).',
      `# Reproduce: pfmsim-test run ${file}`,
    ]);
    const data = parse(text) as Rec;
    expect(Object.keys(data)).toEqual(
      [
        'name',
        'machine',
        'abi',
        'strategy',
        'cpus',
        'faults',
        'processes',
        'threads',
        'buffers',
        'steps',
        'after',
        'explore',
        'expect',
      ].filter((k) => k in data),
    );
    expect(data.name).toBe('fuzz finding: bug:use-after-free (seed 3, program 0)');
    expect(data.strategy).toEqual(['free-before-copy-back']);
    // the file reproduces the failure, word for word
    const again = runScenario(loadScenarioFile(file), { extraStrategies: EXTRA });
    expect(again.tests.map((t) => t.passed)).toEqual([false]);
    expect(`[free-before-copy-back] ${again.tests[0]!.failures[0]}`).toBe(f.failure);
    expect(checkProgram(data as Program, ['free-before-copy-back'], EXTRA)).toMatchObject({
      failure: f.failure,
      signature: f.signature,
      steps: f.steps,
    });
  });

  it('writes one file per kind of failure and counts them in the summary', () => {
    const out = tmp();
    let log = '';
    const r = runFuzz({
      seconds: 60,
      seed: 8,
      out,
      strategies: ['kmalloc', 'skip-copy-back', 'free-before-copy-back'],
      extraStrategies: EXTRA,
      maxPrograms: 5,
      shrinkSeconds: 0,
      log: (t) => {
        log += t;
      },
    });
    expect(r.findings.map((f) => f.signature)).toEqual(['bug:use-after-free', 'differs']);
    expect(log).toMatch(/\nfuzz: 5 programs in \d+\.\d s, 2 findings\nsyscalls: [\d,]+ in /);
    // program 4 is the one whose results differ: its number is in the file name and the header
    const differs = r.findings[1]!;
    expect(differs.file).toBe(join(out, 'fuzz-8-4-differs.yaml'));
    expect(readFileSync(differs.file, 'utf8')).toMatch(
      /^# Found by: pfmsim-test fuzz --seed 8 \(program 4\)/,
    );
    expect(log).toMatch(/\nprogram 4 \(after [\d,]+ syscalls\): \[skip-copy-back\] differs from kmalloc: /);
    expect(parse(readFileSync(differs.file, 'utf8')).name).toBe('fuzz finding: differs (seed 8, program 4)');
    // written as generated (no time to shrink), its fault injection included
    const written = parse(readFileSync(differs.file, 'utf8')) as Rec;
    expect(written.faults).toEqual(generateProgram(8, 4).faults);
    expect(written.faults).toBeDefined();
  });

  it('with no time to shrink writes the program as generated, close races included when asked', () => {
    for (const closeRaces of [false, true]) {
      const out = tmp();
      const r = runFuzz({
        seconds: 60,
        seed: 1,
        out,
        strategies: ['free-before-copy-back'],
        extraStrategies: EXTRA,
        maxPrograms: 1,
        shrinkSeconds: 0,
        closeRaces,
      });
      expect(r.findings).toHaveLength(1);
      const generated = generateProgram(1, 0, closeRaces ? { closeRaces: true } : {});
      const written = parse(readFileSync(r.findings[0]!.file, 'utf8')) as Program;
      expect(written.steps).toEqual(generated.steps);
      expect(written.threads).toEqual(generated.threads);
      // every field of the program, in the scenario order, the strategy after the ABI
      const { name: _n, strategy: _s, explore: _e, buffers: _b, ...rest } = written as Rec;
      const { name: _gn, explore: _ge, buffers: _gb, ...generatedRest } = generated as Rec;
      expect(rest).toEqual(generatedRest);
      expect(Object.keys(written)).toEqual([
        'name',
        'machine',
        'abi',
        'strategy',
        'cpus',
        ...(generated.faults ? ['faults'] : []),
        'processes',
        'threads',
        'buffers',
        'steps',
        'explore',
        'expect',
      ]);
      // buffers no step names are dropped even without shrinking
      const gb = generated.buffers as Rec;
      const wb = written.buffers as Rec;
      expect(Object.keys(wb).length).toBeGreaterThan(0);
      expect(Object.keys(wb).length).toBeLessThan(Object.keys(gb).length);
      for (const [k, v] of Object.entries(wb)) expect(v).toEqual(gb[k]);
      expect(r.findings[0]!.steps).toBe(checkProgram(generated, ['kmalloc']).steps);
      // the sampled schedules become a complete exploration that still fails
      expect(generated.explore?.mode).toBe('random');
      expect(written.explore).toEqual({ mode: 'exhaustive', max_preemptions: 2 });
    }
  });

  it('keeps a program without a concurrent part free of exploration', () => {
    const out = tmp();
    const r = runFuzz({
      seconds: 60,
      seed: 3,
      out,
      strategies: ['free-before-copy-back'],
      extraStrategies: EXTRA,
      maxPrograms: 1,
      shrinkSeconds: 0,
    });
    expect(generateProgram(3, 0).explore).toBeUndefined();
    expect(parse(readFileSync(r.findings[0]!.file, 'utf8')).explore).toBeUndefined();
  });

  it('names the strategies in the file: `all` for the default set, else the list given', () => {
    // a regression in the first shipped strategy: it leaks its argument buffer
    const first = DEFAULT_STRATEGIES[0]!;
    const extraStrategies: ExtraStrategies = new Map([[first, createLeakyStrategy]]);
    const swapped = [...DEFAULT_STRATEGIES];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    const cases: [readonly string[] | undefined, unknown][] = [
      [undefined, 'all'],
      [[first], [first]],
      [swapped, swapped],
    ];
    for (const [strategies, written] of cases) {
      const out = tmp();
      let log = '';
      const r = runFuzz({
        seconds: 60,
        seed: 3,
        out,
        ...(strategies ? { strategies } : {}),
        extraStrategies,
        maxPrograms: 1,
        shrinkSeconds: 0,
        log: (t) => {
          log += t;
        },
      });
      expect(log.split('\n')[0]).toBe(
        `fuzz: seed 3, 60 s, strategies ${(strategies ?? DEFAULT_STRATEGIES).join(', ')}`,
      );
      expect(r.findings.map((f) => f.signature)).toEqual(['leak']);
      expect(parse(readFileSync(r.findings[0]!.file, 'utf8')).strategy).toEqual(written);
    }
  });
});

import {
  type CertCheck,
  createStrategy,
  Problems,
  type StackReport,
  stackReport,
  statusOf,
} from '@pfmsim/buffer-strategies';
import { ARCH_IDS, type ArchId } from '@pfmsim/kernel-sim';
import { runAttack, runThreadAttack } from '../attack.js';
import type { Machine } from '../machines.js';
import { measureCall } from '../measure.js';
import { exploreRaces } from '../race.js';
import { VECTOR_SYSCALLS } from '../world.js';

/** What every system-level check needs: the strategy, the machine, and how to name a replay. */
export interface SystemCheckOptions {
  readonly strategy: string;
  readonly machine: Machine;
  readonly seed: number;
  /** `pfmsim` plus the flags that load the strategy's plugin, for replay commands. */
  readonly cli: string;
  /** The flags that select the machine, for replay commands. */
  readonly machineArgs: string;
}

function thrown(e: unknown): string {
  return `the strategy threw: ${e instanceof Error ? e.message : String(e)}`;
}

function mib(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * The full perfmon2 system: threads of one process calling pfm_write_pmds on one context fd,
 * every schedule up to the preemption bound and then random ones, each checked for kernel bugs
 * and corrupted arguments (what `pfmsim race` does).
 */
export function raceCheck(
  o: SystemCheckOptions,
  opts: { maxPreemptions: number; randomSchedules: number; threads: number },
): CertCheck {
  const problems = new Problems();
  const replay: string[] = [];
  const base = { machine: o.machine, strategy: o.strategy, seed: o.seed, threads: opts.threads };
  let exhaustive = 0;
  let random = 0;
  let complete = true;
  const seen = new Set<string>();
  try {
    const ex = exploreRaces({ ...base, mode: 'exhaustive', maxPreemptions: opts.maxPreemptions });
    const rnd = exploreRaces({ ...base, mode: 'random', schedules: opts.randomSchedules });
    exhaustive = ex.schedules;
    random = rnd.schedules;
    complete = ex.complete;
    for (const f of [...ex.findings, ...rnd.findings]) {
      for (const kind of f.kinds) {
        if (seen.has(kind)) continue;
        seen.add(kind);
        const what = f.messages.find((m) => m.startsWith(`${kind}: `)) ?? f.messages.at(-1) ?? kind;
        problems.add(`schedule ${f.replay}: ${what}`);
        replay.push(
          `${o.cli} race -s ${o.strategy} ${o.machineArgs} -t ${opts.threads} --replay ${f.replay}`,
        );
      }
    }
  } catch (e) {
    problems.add(thrown(e));
  }
  const status = statusOf(problems, false, !complete);
  return {
    id: 'race',
    title: `${opts.threads} threads calling pfm_write_pmds on one context fd (the perfmon2 core)`,
    status,
    summary: `${exhaustive} exhaustive schedules (up to ${opts.maxPreemptions} preemptions${complete ? ', complete' : ', capped: PARTIAL'}) + ${random} random; ${problems.count === 0 ? 'no finding' : `findings: ${[...seen].sort().join(', ')}`}`,
    figures: {
      threads: opts.threads,
      exhaustiveSchedules: exhaustive,
      randomSchedules: random,
      maxPreemptions: opts.maxPreemptions,
      complete,
      findings: problems.count,
    },
    problems: problems.list,
    moreProblems: problems.more,
    replay,
  };
}

/**
 * The seed's memory-pinning attack through contexts (one full-size call on each) and through
 * threads (one context, a call from each thread). It fails on an error, a kernel bug, or
 * memory still charged once every context is closed and every thread has exited; memory that grows with the attacker
 * is a caveat (warn), the same rule as compare's verdict (a quarter of a page per context).
 */
export function floodCheck(o: SystemCheckOptions, opts: { contexts: number; threads: number }): CertCheck {
  const problems = new Problems();
  const page = o.machine.arch === 'ia64' ? 16384 : 4096;
  const world = { machine: o.machine, strategy: o.strategy, seed: o.seed };
  const figures: Record<string, number> = {};
  let grows = false;
  let verdict = '';
  try {
    const a = runAttack({ ...world, contexts: opts.contexts });
    const t = runThreadAttack({ ...world, threads: opts.threads });
    for (const e of a.errors) problems.add(`context flood: ${e}`);
    for (const e of t.errors) problems.add(`thread flood: ${e}`);
    if (a.kernelBugs > 0) problems.add(`context flood: ${a.kernelBugs} kernel bug(s)`);
    if (t.kernelBugs > 0) problems.add(`thread flood: ${t.kernelBugs} kernel bug(s)`);
    if (a.pinnedBytesAfterExit !== 0) {
      problems.add(
        `context flood: ${a.pinnedBytesAfterExit} B still charged after every context was closed and the thread exited`,
      );
    }
    if (t.pinnedBytesAfterExit !== 0) {
      problems.add(
        `thread flood: ${t.pinnedBytesAfterExit} B still charged after the context was closed and every thread exited`,
      );
    }
    const byContexts = a.pinnedBytesAfter >= (opts.contexts * page) / 4;
    const byThreads = t.pinnedBytesAfter >= (opts.threads * page) / 4;
    grows = byContexts || byThreads;
    verdict = grows
      ? `pins ${byContexts ? `${mib(a.pinnedBytesAfter)} for ${opts.contexts} contexts` : `${mib(t.pinnedBytesAfter)} for ${opts.threads} threads`}: grows with the attacker`
      : 'bounded';
    Object.assign(figures, {
      contexts: opts.contexts,
      pinnedBytesAfterContexts: a.pinnedBytesAfter,
      pinnedPagesAfterContexts: a.pinnedPagesAfter,
      pinnedBytesAfterClose: a.pinnedBytesAfterClose,
      pinnedBytesAfterExit: a.pinnedBytesAfterExit + t.pinnedBytesAfterExit,
      threads: opts.threads,
      pinnedBytesAfterThreads: t.pinnedBytesAfter,
    });
  } catch (e) {
    problems.add(thrown(e));
  }
  const status = statusOf(problems, grows);
  const contexts = figures.pinnedBytesAfterContexts ?? 0;
  const threads = figures.pinnedBytesAfterThreads ?? 0;
  return {
    id: 'attacks',
    title: `memory-pinning attacks: ${opts.contexts} contexts, ${opts.threads} threads`,
    status,
    summary: `${opts.contexts} contexts pin ${mib(contexts)}, ${opts.threads} threads pin ${mib(threads)}, ${mib(figures.pinnedBytesAfterExit ?? 0)} once closed and exited; ${verdict || 'not measured'}`,
    figures: { ...figures, verdict },
    problems: problems.list,
    moreProblems: problems.more,
    replay:
      status === 'pass'
        ? []
        : [`${o.cli} certify ${o.strategy} ${o.machineArgs} --seed ${o.seed} --only attacks`],
  };
}

/**
 * The stack report on every arch: a call that fills the strategy's on-stack array must not
 * overflow the kernel stack; a frame over CONFIG_FRAME_WARN is a caveat (the build warns).
 */
export function stackCheck(o: SystemCheckOptions): CertCheck {
  const problems = new Problems();
  const warned: string[] = [];
  let deepest: StackReport | null = null;
  let deepestDepth = 0;
  for (const arch of ARCH_IDS) {
    try {
      const r = stackReport(createStrategy(o.strategy), arch as ArchId);
      for (const row of r.rows) {
        if (row.overflow)
          problems.add(`${arch}: ${row.kind} call overflowed the ${r.threadSize} B kernel stack`);
        else if (row.margin < 0)
          problems.add(`${arch}: ${row.kind} call used ${-row.margin} B more than the usable stack`);
        if (row.frameWarnExceeded) warned.push(`${arch} ${row.kind} ${row.frameBytes} B > ${r.frameWarn}`);
        if (row.measuredDepth / r.usable > deepestDepth) {
          deepestDepth = row.measuredDepth / r.usable;
          deepest = r;
        }
      }
    } catch (e) {
      problems.add(`${arch}: ${thrown(e)}`);
    }
  }
  const deepestRow = deepest?.rows.reduce((a, b) => (b.measuredDepth > a.measuredDepth ? b : a));
  const status = statusOf(problems, warned.length > 0);
  return {
    id: 'stack',
    title: `stack report against CONFIG_FRAME_WARN on every arch (${ARCH_IDS.length})`,
    status,
    summary: `deepest use ${deepestRow?.measuredDepth ?? 0} B of ${deepest?.usable ?? 0} usable (${deepest?.arch ?? '-'}); ${warned.length === 0 ? 'no frame over CONFIG_FRAME_WARN' : `over CONFIG_FRAME_WARN: ${warned.join(', ')}`}`,
    figures: {
      archs: ARCH_IDS.length,
      deepestArch: deepest?.arch ?? null,
      deepestBytes: deepestRow?.measuredDepth ?? 0,
      usableBytes: deepest?.usable ?? 0,
      frameWarnExceeded: warned.length,
    },
    problems: problems.list,
    moreProblems: problems.more,
    replay: status === 'fail' ? [`${o.cli} certify ${o.strategy} --only stack`] : [],
  };
}

/** Register counts the cycle check measures: every one from 1 to 64. */
export const CYCLE_COUNTS: readonly number[] = Array.from({ length: 64 }, (_, i) => i + 1);

/**
 * Cycles of one warm call of each vector system call at 1..64 registers, next to kmalloc on
 * the same machine. A call the strategy fails where kmalloc succeeds, or a kernel bug, fails
 * the check; the figures are the saving over kmalloc at the counts the decision table uses.
 */
export function cyclesCheck(o: SystemCheckOptions): CertCheck {
  const problems = new Problems();
  const table: { syscall: string; count: number; cycles: number; kmalloc: number }[] = [];
  for (const syscall of VECTOR_SYSCALLS) {
    for (const count of CYCLE_COUNTS) {
      const world = { machine: o.machine, seed: o.seed, syscall, count };
      try {
        const k = measureCall({ ...world, strategy: 'kmalloc' });
        const m = measureCall({ ...world, strategy: o.strategy });
        if (m.error !== k.error) {
          problems.add(
            `${syscall} n=${count}: ${m.error ?? 'success'} where kmalloc gives ${k.error ?? 'success'}`,
          );
        }
        if (m.kernelBugs > 0) problems.add(`${syscall} n=${count}: ${m.kernelBugs} kernel bug(s)`);
        table.push({ syscall, count, cycles: m.cyclesPerCall, kmalloc: k.cyclesPerCall });
      } catch (e) {
        // measureCall's own set-up call failing (a read needs a write first) says why
        problems.add(`${syscall} n=${count}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  const at = (count: number) => table.find((r) => r.syscall === 'pfm_read_pmds' && r.count === count);
  const saving = (count: number) => {
    const r = at(count);
    return r ? (r.kmalloc - r.cycles) / r.kmalloc : Number.NaN;
  };
  // a saving is fewer cycles: printed as the change in cycles, -15.3 %
  const pct = (x: number) => {
    const text = Math.abs(x * 100).toFixed(1);
    return text === '0.0' ? '0.0%' : `${x > 0 ? '-' : '+'}${text}%`;
  };
  const status = statusOf(problems);
  return {
    id: 'cycles',
    title: `cycles per call at 1..64 registers, against kmalloc (${o.machine.id})`,
    status,
    summary: `pfm_read_pmds vs kmalloc: n=1 ${pct(saving(1))}, n=4 ${pct(saving(4))}, n=8 ${pct(saving(8))}, n=16 ${pct(saving(16))}, n=64 ${pct(saving(64))} (${at(4)?.cycles ?? '-'} vs ${at(4)?.kmalloc ?? '-'} cycles at 4); ${table.length} measurements`,
    figures: {
      measurements: table.length,
      cyclesAt4: at(4)?.cycles ?? null,
      kmallocAt4: at(4)?.kmalloc ?? null,
      savingAt4: Number.isNaN(saving(4)) ? null : saving(4),
      savingAt64: Number.isNaN(saving(64)) ? null : saving(64),
    },
    problems: problems.list,
    moreProblems: problems.more,
    replay: status === 'fail' ? [`${o.cli} certify ${o.strategy} ${o.machineArgs} --only cycles`] : [],
    data: table,
  };
}

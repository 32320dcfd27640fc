/**
 * Exploration speed: a two-thread, one-call-each scenario (each thread one pfm_write_pmds of 2
 * elements on a shared fd), explored with random schedules under kmalloc. Prints schedules/s
 * and where the time of one schedule goes (world construction vs the rest).
 *   node --conditions=@pfmsim/source --import tsx scripts/bench-explore.ts [schedules] [arena_bytes]
 */
import { createStrategy } from '@pfmsim/buffer-strategies';
import { createSystem } from '@pfmsim/perfmon-core';
import { scenarioFromData } from '../src/load.js';
import { makePlan } from '../src/plan.js';
import { runScenario } from '../src/run.js';
import { World } from '../src/world.js';

export function twoThreadScenario(
  schedules: number,
  arena = 262144,
  mode: 'random' | 'exhaustive' = 'random',
) {
  return {
    name: 'two threads, one call each',
    machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
    strategy: 'kmalloc',
    arena_bytes: arena,
    buffers: {
      a: {
        struct: 'pmd',
        value: [
          { reg_num: 0, reg_value: 1 },
          { reg_num: 1, reg_value: 2 },
        ],
      },
      b: {
        struct: 'pmd',
        value: [
          { reg_num: 1, reg_value: 3 },
          { reg_num: 0, reg_value: 4 },
        ],
      },
    },
    threads: [
      { name: 'A', steps: [{ call: 'pfm_write_pmds', arg: 'a', expect: { ret: 0, unchanged: true } }] },
      { name: 'B', steps: [{ call: 'pfm_write_pmds', arg: 'b', expect: { ret: 0, unchanged: true } }] },
    ],
    steps: [{ call: 'pfm_create_context', thread: 'A', save: 'fd' }],
    explore: mode === 'random' ? { mode, schedules } : { mode, max_preemptions: 3 },
  };
}

export function measureExplore(schedules: number, arena = 262144) {
  const sc = scenarioFromData(twoThreadScenario(schedules, arena), 'bench');
  runScenario(scenarioFromData(twoThreadScenario(200, arena), 'warmup'));
  const t0 = performance.now();
  const r = runScenario(sc);
  const ms = performance.now() - t0;
  const test = r.tests[0]!;
  if (!test.passed) throw new Error(test.failures.join('\n'));
  const plan = makePlan(sc);
  const n = Math.min(schedules, 2000);
  let t1 = performance.now();
  for (let i = 0; i < n; i++)
    createSystem({
      machine: { arch: 'i386', cost: 'p4-2006', pmu: plan.model },
      strategy: createStrategy('kmalloc'),
      arenaBytes: arena,
      cpus: 2,
      seed: i + 1,
    });
  const systemUs = ((performance.now() - t1) * 1000) / n;
  t1 = performance.now();
  for (let i = 0; i < n; i++) new World(plan, 'kmalloc', createStrategy('kmalloc'), i + 1);
  const worldUs = ((performance.now() - t1) * 1000) / n;
  const perSchedule = (ms * 1000) / test.schedules!;
  return {
    schedules: test.schedules!,
    ms,
    perSecond: (test.schedules! * 1000) / ms,
    perScheduleUs: perSchedule,
    systemUs,
    worldUs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const schedules = Number(process.argv[2] ?? 5000);
  const arena = Number(process.argv[3] ?? 262144);
  const m = measureExplore(schedules, arena);
  console.log(
    `two threads x one pfm_write_pmds each, kmalloc, random schedules, arena ${arena} B, node ${process.version}`,
  );
  console.log(
    `${m.schedules} schedules in ${m.ms.toFixed(0)} ms: ${m.perSecond.toFixed(0)} schedules/s (${m.perScheduleUs.toFixed(0)} us each)`,
  );
  console.log(
    `  createSystem alone: ${m.systemUs.toFixed(0)} us; the scenario's world (system + process, threads, buffers): ${m.worldUs.toFixed(0)} us`,
  );
  console.log(
    `  the rest (setup call, two scheduled calls, teardown, checks): ${(m.perScheduleUs - m.worldUs).toFixed(0)} us`,
  );
}

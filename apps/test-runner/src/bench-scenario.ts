/**
 * The exploration benchmark's scenario: two threads of one process, each making one
 * pfm_write_pmds of 2 elements on a shared fd, under kmalloc (or `strategy`). Plain data,
 * shared by the benchmark (`pnpm bench`), `pfmsim bench` and the exploration tests.
 */
export function twoThreadScenario(
  schedules: number,
  arena = 262144,
  mode: 'random' | 'exhaustive' = 'random',
  strategy = 'kmalloc',
) {
  return {
    name: 'two threads, one call each',
    machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
    strategy,
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

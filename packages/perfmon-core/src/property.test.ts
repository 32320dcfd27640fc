import { createKmallocStrategy, createStackStrategy } from '@pfmsim/buffer-strategies';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Errno } from './abi/errno.js';
import { workloadFromEvents } from './core/workload.js';
import { testWorld } from './test-util.js';

const op = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), flags: fc.constantFrom(0, 1, 2, 3, 0x80) }),
  fc.record({
    kind: fc.constantFrom(
      'write_pmcs' as const,
      'write_pmds' as const,
      'read_pmds' as const,
      'create_evtsets' as const,
      'getinfo' as const,
      'delete_evtsets' as const,
    ),
    fd: fc.integer({ min: -1, max: 5 }),
    count: fc.oneof(fc.integer({ min: -2, max: 30 }), fc.constantFrom(2 ** 31 - 1, 44739242)),
    ptr: fc.constantFrom('valid', 'null', 'hole', 'straddle', 'readonly'),
    reg: fc.integer({ min: 0, max: 5 }),
    set: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({
    kind: fc.constantFrom(
      'load' as const,
      'start' as const,
      'stop' as const,
      'restart' as const,
      'unload' as const,
      'close' as const,
      'read' as const,
    ),
    fd: fc.integer({ min: -1, max: 5 }),
  }),
  fc.record({ kind: fc.constant('run' as const), cycles: fc.integer({ min: 1, max: 3_000_000 }) }),
);

describe('property: random syscall sequences with bad arguments and injected faults', () => {
  it('never trip a KernelBug, never leak once every fd is closed, and fail without side effects', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 1000 }),
        (ops, useStack, slabPct, copyPct, seed) => {
          const w = testWorld({
            seed,
            strategy: useStack ? createStackStrategy() : createKmallocStrategy(),
            faults: {
              failslab: { probability: slabPct, filter: 'pfm_get_args' },
              failUsercopy: { probability: copyPct },
            },
          });
          const wl = workloadFromEvents(w.s.pmu.model, 'mix', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.7 });
          const base = w.s.k.mem.snapshot();
          const mm = w.p.mm;
          const big = w.buf(8 * 4096);
          const hole = w.buf(4096);
          mm.munmap(hole, 4096);
          const ro = mm.mmap(4096, 1);
          const ptrOf = (p: string, reg: number, set: number, size: number) => {
            if (p === 'null') return 0;
            if (p === 'hole') return hole;
            if (p === 'readonly') return ro;
            const v = mm.dataView(big, 8 * 4096, true);
            for (let i = 0; i < 8 * 4096; i += size) {
              v.setUint16(i, (reg + i / size) % 3, true);
              v.setUint16(i + 2, set, true);
            }
            return p === 'straddle' ? big + 8 * 4096 - size - 7 : big;
          };
          for (const o of ops) {
            if (o.kind === 'create') {
              try {
                w.ctx(o.flags);
              } catch {
                // EFAULT / ENOMEM under injection, or EINVAL for bad flags: fine
              }
              continue;
            }
            if (o.kind === 'run') {
              w.s.runSync(w.t, wl, o.cycles);
              continue;
            }
            const before = JSON.stringify(
              w.s.contexts.map((c) => [c.id, c.state, c.started, c.active.id, c.sets.sets.length]),
            );
            let r: { ok: boolean; errno?: number };
            switch (o.kind) {
              case 'write_pmcs':
                r = w.g.pfm_write_pmcs(o.fd, ptrOf(o.ptr, o.reg, o.set, 48), o.count);
                break;
              case 'write_pmds':
                r = w.g.pfm_write_pmds(o.fd, ptrOf(o.ptr, o.reg, o.set, 176), o.count);
                break;
              case 'read_pmds':
                r = w.g.pfm_read_pmds(o.fd, ptrOf(o.ptr, o.reg, o.set, 176), o.count);
                break;
              case 'create_evtsets':
                r = w.g.pfm_create_evtsets(o.fd, ptrOf(o.ptr, o.reg, o.set, 64), o.count);
                break;
              case 'getinfo':
                r = w.g.pfm_getinfo_evtsets(o.fd, ptrOf(o.ptr, o.reg, o.set, 192), o.count);
                break;
              case 'delete_evtsets':
                r = w.g.pfm_delete_evtsets(o.fd, ptrOf(o.ptr, o.reg, o.set, 64), o.count);
                break;
              case 'load':
                r = w.load(o.fd, w.t.tid);
                break;
              case 'start':
                r = w.g.pfm_start(o.fd);
                break;
              case 'stop':
                r = w.g.pfm_stop(o.fd);
                break;
              case 'restart':
                r = w.g.pfm_restart(o.fd);
                break;
              case 'unload':
                r = w.g.pfm_unload_context(o.fd);
                break;
              case 'close':
                r = w.g.close(o.fd);
                break;
              case 'read':
                w.s.sys.setNonblock(w.t, o.fd, true);
                r = w.g.read(o.fd, big, 64);
                break;
            }
            // Argument errors (before the lock) change nothing at all.
            if (!r.ok && [Errno.EBADF, Errno.E2BIG, Errno.ENOMEM].includes(r.errno as never)) {
              const after = JSON.stringify(
                w.s.contexts.map((c) => [c.id, c.state, c.started, c.active.id, c.sets.sets.length]),
              );
              if (after !== before) return false;
            }
            if (w.s.k.bugs.length > 0) return false;
          }
          for (let fd = 0; fd < w.p.files.length; fd++) if (w.p.files[fd]) w.g.close(fd);
          return (
            w.s.k.bugs.length === 0 &&
            w.s.k.mem.liveObjectsSince(base).length === 0 &&
            w.s.contexts.length === 0
          );
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000); // 150 runs take seconds; a loaded machine must not turn them into a timeout
});

describe('sysfs', () => {
  it('exposes the V18 entries with their validation', () => {
    const w = testWorld();
    const fs = w.s.sysfs;
    expect(fs.read('/sys/kernel/perfmon/version')).toEqual({ ok: true, value: '2.3' });
    expect(fs.read('arg_mem_max')).toEqual({ ok: true, value: '4096' });
    expect(fs.read('pmd_max_fast_arg')).toEqual({ ok: true, value: '0' }); // kmalloc strategy
    expect(testWorld({ strategy: createStackStrategy() }).s.sysfs.read('pmd_max_fast_arg')).toEqual({
      ok: true,
      value: '4',
    });
    expect(fs.read('pmu_desc/model')).toEqual({ ok: true, value: 'Intel P6 processor Family' });
    expect(fs.read('pmu_desc/counter_width')).toEqual({ ok: true, value: '31' });
    expect(fs.read('pmu_desc/pmc0/rsvd_msk')).toEqual({ ok: true, value: '0xffffffff00300000' });
    expect(fs.read('nope')).toEqual({ ok: false, errno: Errno.ENOENT });
    expect(fs.write('debug', 'x')).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(fs.write('debug', '1', 1000)).toEqual({ ok: false, errno: Errno.EACCES });
    expect(fs.write('version', '9')).toEqual({ ok: false, errno: Errno.EACCES });
    expect(fs.write('buf_size_max', '100')).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(fs.write('sys_group', '-1')).toEqual({ ok: true, value: undefined });
    expect(testWorld({ abi: 'v2.2' }).s.sysfs.read('arg_size_max')).toEqual({ ok: true, value: '4096' });
  });
});

/**
 * The lab's world: one process with one perfmon context, vectors of valid registers in user
 * memory, and the per-call limit raised to fit them.
 */
import { decodePfargVector } from '@pfmsim/perfmon-core';
import { describe, expect, it } from 'vitest';
import { getMachine } from './machines.js';
import { createWorld, fitLimit, VECTOR_SYSCALLS } from './world.js';

const p4 = getMachine('p4-2006');
const core2 = getMachine('core2-2007');

describe('createWorld', () => {
  it('opens a context with the documented defaults: seed 1, one CPU, a 1 MiB arena, v2.3', () => {
    const w = createWorld({ machine: p4, strategy: 'kmalloc' });
    expect(w.fd).toBeGreaterThanOrEqual(0);
    expect(w.s.abi.id).toBe('v2.3');
    expect(w.s.k.seed).toBe(1);
    expect(w.s.k.cpus).toHaveLength(1);
    expect(w.s.k.mem.numPages).toBe(256);
    expect(w.s.k.preemptAll).toBe(false);
    expect(w.s.strategy.name).toBe('kmalloc');
    expect(w.p.uid).toBe(1000);
    expect(w.main.label).toContain('main');
    const other = createWorld({
      machine: p4,
      strategy: 'ctx-cache',
      seed: 9,
      cpus: 2,
      arenaBytes: 2 << 20,
      preemptAll: true,
      costOverrides: { kmallocFast: 1 },
    });
    expect(other.s.k).toMatchObject({ seed: 9, preemptAll: true });
    expect(other.s.k.cpus).toHaveLength(2);
    expect(other.s.k.mem.numPages).toBe(512);
    expect(other.s.k.costProfile.figures.kmallocFast.value).toBe(1);
    expect(other.s.strategy.name).toBe('ctx-cache');
  });

  it('finds the fd in pfarg_ctx.ctx_fd under v2.2, where pfm_create_context does not return it', () => {
    const w = createWorld({ machine: p4, strategy: 'kmalloc', abi: 'v2.2' });
    const second = w.open();
    expect(second).not.toBe(w.fd);
    for (const fd of [w.fd, second]) {
      const u = w.vector('pfm_write_pmds', 2);
      expect(w.s.k.runSync(w.main, w.callOn(fd, 'pfm_write_pmds', w.main, u, 2))).toBe(0);
    }
  });

  it('sizes elements by the ABI: pfarg_pmc 48 and pfarg_pmd 176 bytes, perfmon3 pfarg_pmr 16', () => {
    const w = createWorld({ machine: p4, strategy: 'kmalloc' });
    expect(VECTOR_SYSCALLS.map((s) => w.elemSize(s))).toEqual([176, 176, 48]);
    const v3 = createWorld({ machine: p4, strategy: 'kmalloc', abi: 'v3' });
    expect(VECTOR_SYSCALLS.map((s) => v3.elemSize(s))).toEqual([16, 16, 16]);
  });

  it('fills vectors with the implemented PMCs and the counter PMDs, wrapping around', () => {
    const w = createWorld({ machine: core2, strategy: 'kmalloc' });
    const regs = (kind: 'pmc' | 'pmd', count: number) => {
      const syscall = kind === 'pmc' ? 'pfm_write_pmcs' : 'pfm_write_pmds';
      const u = w.vector(syscall, count);
      const view = w.p.mm.dataView(u, count * w.elemSize(syscall), false);
      return decodePfargVector(kind, view, 0, count, w.s.abi as never).map((e) => e.reg_num);
    };
    expect(regs('pmc', 6)).toEqual([0, 1, 16, 17, 0, 1]);
    expect(regs('pmd', 7)).toEqual([0, 1, 16, 17, 18, 0, 1]);
    for (const syscall of VECTOR_SYSCALLS) {
      const u = w.vector(syscall, 7);
      if (syscall === 'pfm_read_pmds') continue;
      expect(w.s.k.runSync(w.main, w.call(syscall, w.main, u, 7)), syscall).toBe(0);
    }
    const r = w.vector('pfm_read_pmds', 5);
    expect(w.s.k.runSync(w.main, w.call('pfm_read_pmds', w.main, r, 5))).toBe(0);
  });

  it('issues perfmon3 pfm_read and pfm_write with 16-byte registers', () => {
    const w = createWorld({ machine: core2, strategy: 'kmalloc', abi: 'v3' });
    const run = (syscall: (typeof VECTOR_SYSCALLS)[number], count: number) =>
      w.s.k.runSync(w.main, w.call(syscall, w.main, w.vector(syscall, count), count));
    expect(run('pfm_write_pmcs', 4)).toBe(0);
    expect(run('pfm_write_pmds', 5)).toBe(0);
    expect(run('pfm_read_pmds', 5)).toBe(0);
    const view = w.p.mm.dataView(w.vector('pfm_write_pmcs', 5), 5 * 16, false);
    expect([0, 1, 2, 3, 4].map((i) => view.getUint16(i * 16, true))).toEqual([0, 1, 16, 17, 0]);
  });
});

describe('fitLimit', () => {
  it('raises the per-call limit to whole pages, at least one', () => {
    const w = createWorld({ machine: p4, strategy: 'kmalloc' });
    expect(fitLimit(w.s, 1)).toBe(4096);
    expect(w.s.sysfs.state.argSizeMax).toBe(4096);
    expect(fitLimit(w.s, 4097)).toBe(8192);
    expect(w.s.sysfs.state.argSizeMax).toBe(8192);
    expect(fitLimit(w.s, 64 * 176)).toBe(12288);
    const ia64 = createWorld({ machine: getMachine('itanium2-2006'), strategy: 'kmalloc', abi: 'v3' });
    expect(fitLimit(ia64.s, 16385)).toBe(32768);
  });
});

import { PROT_READ } from '@pfmsim/kernel-sim';
import { createPfargCtx, encodePfarg } from '@pfmsim/perfmon-core';
import { describe, expect, it } from 'vitest';
import { openSession } from '../session.js';
import { UserMemory } from './user-memory.js';

const p6 = { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' };
const EINVAL = 22;
const EBADF = 9;

function newContext(abi: 'v2.2' | 'v2.3', smplName: string | null = null) {
  const { gate, sys } = openSession({ machine: p6, abi });
  const uctx = gate.mem.alloc(sys.abi.sizes.ctx);
  encodePfarg('ctx', gate.mem.view(uctx, sys.abi.sizes.ctx, true), 0, createPfargCtx(), sys.abi);
  return { gate, uctx, r: gate.pfm_create_context(uctx, smplName, 0, 0) };
}

describe('PerfmonGate (pfmlib_os_linux_v2.c)', () => {
  it.each(['v2.2', 'v2.3'] as const)('%s: pfm_create_context yields a usable fd', (abi) => {
    const { gate, uctx, r } = newContext(abi);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // a second context gets another descriptor
    const again = gate.pfm_create_context(uctx, null, 0, 0);
    expect(again).toEqual({ ok: true, value: r.value + 1 });
    expect(gate.close(r.value)).toEqual({ ok: true, value: 0 });
    expect(gate.close(r.value)).toEqual({ ok: false, errno: EBADF });
  });

  it('a sampling format name is passed to the kernel, which has none registered: EINVAL', () => {
    expect(newContext('v2.3', 'default').r).toEqual({ ok: false, errno: EINVAL });
  });

  it('a failing v2.2 create returns the errno, not a descriptor read back', () => {
    const { gate, uctx } = newContext('v2.2');
    expect(gate.pfm_create_context(uctx + 0x10_0000_0000, null, 0, 0).ok).toBe(false);
  });

  it('stop, unload and delete sets reach the kernel and return its answer', () => {
    const { gate, r } = newContext('v2.3');
    expect(r.ok).toBe(true);
    expect(gate.pfm_unload_context(-1)).toEqual({ ok: false, errno: EBADF });
    expect(gate.pfm_delete_evtsets(-1, 0, 0)).toEqual({ ok: false, errno: EBADF });
    expect(gate.pfm_stop(-1)).toEqual({ ok: false, errno: EBADF });
  });
});

describe('UserMemory', () => {
  const mem = () => openSession({ machine: p6 }).gate.mem;

  it('bump-allocates with the requested alignment inside one mapping', () => {
    const m = mem();
    const a = m.alloc(10);
    expect(m.alloc(3)).toBe(a + 16);
    expect(m.alloc(1, 1)).toBe(a + 19);
    expect(m.alloc(4000)).toBe(a + 24);
    expect(m.alloc(200)).toBe(a + 4024);
  });

  it('fills a 64 KiB mapping exactly before mapping another', () => {
    const m = mem();
    const a = m.alloc(65528);
    expect(m.alloc(8)).toBe(a + 65528);
    const b = m.alloc(8);
    expect(b).not.toBe(a + 65536);
    expect(m.view(b, 8, true).getUint32(0, true)).toBe(0);
  });

  it('maps whole pages for a request larger than the chunk', () => {
    const m = mem();
    const big = m.alloc(100_000);
    m.view(big, 100_000, true).setUint8(99_999, 1);
    expect(m.alloc(2400)).toBe(big + 100_000); // 25 pages hold 102400 bytes
  });

  it('writes NUL-terminated strings', () => {
    const m = mem();
    const at = m.writeString('default');
    expect([...m.process.mm.read(at, 8)]).toEqual([...new TextEncoder().encode('default'), 0]);
  });

  it('views are read-only unless asked for writing', () => {
    const m = new UserMemory(mem().process);
    const ro = m.process.mm.mmap(4096, PROT_READ);
    expect(m.view(ro, 8).getUint32(0, true)).toBe(0);
    expect(() => m.view(ro, 8, true)).toThrow();
  });
});

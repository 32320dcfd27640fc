// pfm_create_context with a sampling format (perfmon2-sampling.md §1.1-1.3).

import {
  type ArgBufferStrategy,
  BROKEN_STRATEGY_NAMES,
  createStrategy,
  E2BIG,
  STRATEGY_NAMES,
  type StrategyName,
} from '@pfmsim/buffer-strategies';
import { PROT_READ, PROT_WRITE } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { Errno, fail, ok } from '../abi/errno.js';
import { decodeDflSmplHdr, encodeDflSmplArg, PFM_DFL_SMPL_UUID } from '../abi/smpl-layouts.js';
import { type TestWorld, testWorld } from '../test-util.js';
import { DFL_SMPL_FMT } from './smpl-dfl.js';
import type { SmplFormat } from './smpl-fmt.js';

const { EINVAL, EFAULT, ENOMEM } = Errno;
const SHIPPED = STRATEGY_NAMES.filter((n) => !BROKEN_STRATEGY_NAMES.includes(n));

/** The string `s` with its NUL in user memory. */
function cstring(w: TestWorld, s: string): number {
  const u = w.buf(s.length + 1);
  w.p.mm.write(u, new TextEncoder().encode(`${s}\0`));
  return u;
}
/** A pfm_dfl_smpl_arg in user memory. */
function dflArg(w: TestWorld, bufSize: number, flags = 0): number {
  const u = w.buf(64);
  encodeDflSmplArg(w.p.mm.dataView(u, 64, true), 0, { buf_size: BigInt(bufSize), buf_flags: flags });
  return u;
}
/** v2.3: pfm_create_context(ctx, "default", arg, 64). */
function create23(w: TestWorld, bufSize: number, over: { name?: number; size?: number; arg?: number } = {}) {
  return w.g.pfm_create_context(
    w.buf(64),
    over.name ?? cstring(w, 'default'),
    over.arg ?? dflArg(w, bufSize),
    over.size ?? 64,
  );
}
/** Nothing of a failed or closed sampling context is left: memory, sysfs count, locked pages. */
function expectNothingLeft(w: TestWorld, base: ReturnType<TestWorld['s']['k']['mem']['snapshot']>) {
  expect(w.s.k.mem.liveObjectsSince(base)).toEqual([]);
  expect(w.s.k.mem.ownerLiveBytes('pfm_smpl_buf')).toBe(0);
  expect(w.s.sysfs.read('smpl_buffer_mem')).toEqual(ok('0'));
  expect(w.p.lockedVm).toBe(0);
}

describe('v2.3: the default format by name', () => {
  it('gives a context with a page-aligned buffer, charged globally and to the creator, all released at close', () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    const r = create23(w, 3 * 4096 + 512);
    expect(r).toEqual(ok(0));
    const smpl = w.s.contexts[0]!.smpl!;
    expect(smpl.size).toBe(4 * 4096);
    expect(w.s.sysfs.read('smpl_buffer_mem')).toEqual(ok(String(4 * 4096)));
    expect(w.p.lockedVm).toBe(4);
    expect(decodeDflSmplHdr(w.s.k.mem.view, smpl.addr)).toMatchObject({
      hdr_cur_offs: 128n,
      hdr_buf_size: 12800n,
      hdr_min_buf_space: 40n + 8n * BigInt(w.s.pmu.model.pmds.length),
      hdr_version: 0x10000,
    });
    // the argument copy is gone already
    expect(w.s.k.mem.liveObjectsSince(base).map((o) => o.site)).toEqual(['pfm_context_alloc']);
    expect(w.g.close(0)).toEqual(ok(0));
    expectNothingLeft(w, base);
  });

  it('no format: no buffer; the size -1 back door takes the format its own size', () => {
    const w = testWorld();
    expect(w.g.pfm_create_context(w.buf(64))).toEqual(ok(0));
    expect(w.s.contexts[0]!.smpl).toBeNull();
    expect(create23(w, 4096, { size: -1 })).toEqual(ok(1));
    expect(create23(w, 4096, { size: 0xffffffff })).toEqual(ok(2)); // i386: size_t -1
    expect(w.s.contexts[2]!.smpl!.size).toBe(4096);
  });

  it('the errno of every refusal, with nothing left behind', () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    const unmapped = w.buf(4096);
    w.p.mm.munmap(unmapped, 4096);
    const min = 128 + 40 + 8 * w.s.pmu.model.pmds.length;
    expect(create23(w, 8192, { name: cstring(w, 'nope') })).toEqual(fail(EINVAL));
    expect(create23(w, 8192, { name: unmapped })).toEqual(fail(EFAULT));
    expect(create23(w, 8192, { name: cstring(w, 'd'.repeat(4096)) })).toEqual(fail(EINVAL));
    expect(create23(w, 8192, { size: 63 })).toEqual(fail(EINVAL));
    expect(create23(w, 8192, { size: 65 })).toEqual(fail(EINVAL));
    expect(create23(w, 8192, { arg: unmapped })).toEqual(fail(EFAULT));
    expect(create23(w, min - 1)).toEqual(fail(EINVAL));
    // RLIMIT_MEMLOCK is 8 pages by default
    expect(create23(w, 8 * 4096 + 1)).toEqual(fail(ENOMEM));
    expectNothingLeft(w, base);
    expect(create23(w, min)).toEqual(ok(0));
  });

  it('RLIMIT_MEMLOCK counts every buffer of the process; sysfs buf_size_max caps all of them', () => {
    const w = testWorld();
    expect(create23(w, 5 * 4096)).toEqual(ok(0));
    expect(create23(w, 4 * 4096)).toEqual(fail(ENOMEM));
    expect(create23(w, 3 * 4096)).toEqual(ok(1));
    expect(w.p.lockedVm).toBe(8);
    expect(w.g.close(0)).toEqual(ok(0));
    expect(w.p.lockedVm).toBe(3);
    // a second process has its own limit, but the global cap is shared
    const other = w.s.process({ uid: 1001, memlock: 1 << 20 });
    const g2 = w.s.gate(w.s.thread(other, 'other'));
    expect(w.s.sysfs.write('buf_size_max', String(8 * 4096))).toEqual(ok());
    const u = (size: number) => {
      const a = other.mm.mmap(4096);
      other.mm.write(a, new TextEncoder().encode('default\0'));
      encodeDflSmplArg(other.mm.dataView(a + 64, 64, true), 0, { buf_size: BigInt(size) });
      return g2.pfm_create_context(other.mm.mmap(64), a, a + 64, 64);
    };
    expect(u(6 * 4096)).toEqual(fail(ENOMEM));
    expect(u(5 * 4096)).toEqual(ok(0));
    expect(w.s.sysfs.read('smpl_buffer_mem')).toEqual(ok(String(8 * 4096)));
  });

  it('a failed allocation anywhere on the way is ENOMEM and leaves nothing (fault injection)', () => {
    const results: string[] = [];
    for (let nth = 1; nth <= 6; nth++) {
      const w = testWorld({ faults: { failslab: { nth } } });
      const base = w.s.k.mem.snapshot();
      const r = create23(w, 2 * 4096);
      results.push(r.ok ? 'ok' : `errno ${r.errno}`);
      if (r.ok) expect(w.g.close(r.value)).toEqual(ok(0));
      expectNothingLeft(w, base);
    }
    // the name, the argument, the context, the buffer: the first four allocations can fail
    expect(results).toEqual(['errno 12', 'errno 12', 'errno 12', 'errno 12', 'ok', 'ok']);
  });
});

describe('v2.2: the default format by UUID', () => {
  /** A v2.2 pfarg_ctx (128 B) naming `uuid` in ctx_smpl_buf_id. */
  function ctx22(w: TestWorld, uuid: readonly number[]): number {
    const u = w.buf(128);
    w.p.mm.write(u, Uint8Array.from(uuid));
    return u;
  }

  it('returns the fd and the page-aligned buffer size in the struct', () => {
    const w = testWorld({ abi: 'v2.2' });
    const u = ctx22(w, PFM_DFL_SMPL_UUID);
    expect(w.g.pfm_create_context(u, 0, dflArg(w, 4096 + 1), 64)).toEqual(ok(0));
    const v = w.p.mm.dataView(u, 128, false);
    expect(v.getInt32(20, true)).toBe(0);
    expect(v.getBigUint64(24, true)).toBe(8192n);
    // a null UUID: no format, no argument read
    const none = ctx22(w, new Array(16).fill(0));
    expect(w.g.pfm_create_context(none, 0, 0, 12345)).toEqual(ok(0));
    expect(w.p.mm.dataView(none, 128, false).getBigUint64(24, true)).toBe(0n);
  });

  it('an unknown UUID or a wrong size is EINVAL; a v2.3 name means nothing here', () => {
    const w = testWorld({ abi: 'v2.2' });
    const other = [...PFM_DFL_SMPL_UUID];
    other[15] = other[15]! ^ 1;
    expect(w.g.pfm_create_context(ctx22(w, other), 0, dflArg(w, 4096), 64)).toEqual(fail(EINVAL));
    expect(w.g.pfm_create_context(ctx22(w, PFM_DFL_SMPL_UUID), 0, dflArg(w, 4096), 32)).toEqual(fail(EINVAL));
    expect(w.s.sysfs.list()).toContain('formats/default/uuid');
    expect(w.s.contexts).toEqual([]);
  });

  it('a buffer the arena cannot hold is ENOMEM, not a crash', () => {
    const w = testWorld({ abi: 'v2.2' });
    w.p.memlockLimit = Number.POSITIVE_INFINITY;
    const u = ctx22(w, PFM_DFL_SMPL_UUID);
    expect(w.g.pfm_create_context(u, 0, dflArg(w, 2 ** 40), 64)).toEqual(fail(ENOMEM));
    const huge = dflArg(w, 0);
    w.p.mm.dataView(huge, 8, true).setUint32(4, 0xffffffff, true);
    expect(w.g.pfm_create_context(u, 0, huge, 64)).toEqual(fail(ENOMEM));
    expect(w.s.contexts).toEqual([]);
  });
});

describe('mmap of the sampling buffer (§1.4)', () => {
  it('maps the header read-only: the process reads what the kernel wrote, and cannot write it', () => {
    const w = testWorld();
    const fd = create23(w, 3 * 4096 + 512);
    expect(fd).toEqual(ok(0));
    const r = w.g.mmap(0, 3 * 4096 + 512, PROT_READ);
    expect(r.ok).toBe(true);
    const u = (r as { value: number }).value;
    const hdr = decodeDflSmplHdr(w.p.mm.dataView(u, 128, false), 0);
    expect(hdr).toMatchObject({ hdr_version: 0x10000, hdr_cur_offs: 128n, hdr_buf_size: 12800n });
    expect(() => w.p.mm.write(u, Uint8Array.of(1))).toThrow(/protected/);
    // the whole page-aligned size, or less, may be mapped
    expect(w.g.mmap(0, 4 * 4096, PROT_READ).ok).toBe(true);
    expect(w.g.mmap(0, 1, PROT_READ).ok).toBe(true);
  });

  it('EINVAL: writable, too long, an offset, no buffer, length 0; EBADF: not a context', () => {
    const w = testWorld();
    create23(w, 4096);
    expect(w.g.pfm_create_context(w.buf(64))).toEqual(ok(1));
    expect(w.g.mmap(0, 4096, PROT_READ | PROT_WRITE)).toEqual(fail(EINVAL));
    expect(w.g.mmap(0, 4097, PROT_READ)).toEqual(fail(EINVAL));
    expect(w.g.mmap(0, 4096, PROT_READ, 4096)).toEqual(fail(EINVAL));
    expect(w.g.mmap(0, 0, PROT_READ)).toEqual(fail(EINVAL));
    expect(w.g.mmap(1, 4096, PROT_READ)).toEqual(fail(EINVAL));
    expect(w.g.mmap(9, 4096, PROT_READ)).toEqual(fail(Errno.EBADF));
  });

  it('the buffer outlives the fd while mapped, and goes with the last mapping', () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    create23(w, 2 * 4096);
    const a = (w.g.mmap(0, 8192, PROT_READ) as { value: number }).value;
    const b = (w.g.mmap(0, 4096, PROT_READ) as { value: number }).value;
    expect(w.g.close(0)).toEqual(ok(0));
    expect(w.s.contexts).toEqual([]);
    expect(w.s.k.mem.ownerLiveBytes('pfm_smpl_buf')).toBe(8192);
    expect(decodeDflSmplHdr(w.p.mm.dataView(a, 128, false), 0).hdr_version).toBe(0x10000);
    w.p.mm.munmap(a, 8192);
    expect(w.p.lockedVm).toBe(2);
    w.p.mm.munmap(b, 4096);
    expectNothingLeft(w, base);
    expect(w.s.k.bugs).toEqual([]);
  });
});

describe('the format argument goes through the argument-buffer strategy (the seed, once more)', () => {
  it.each(SHIPPED)('%s: sampling contexts are created, and no argument buffer outlives the call', (name) => {
    const w = testWorld({ strategy: createStrategy(name) });
    const base = w.s.k.mem.snapshot();
    expect(create23(w, 4096)).toEqual(ok(0));
    expect(create23(w, 4096)).toEqual(ok(1));
    expect(w.g.close(0)).toEqual(ok(0));
    expect(w.g.close(1)).toEqual(ok(0));
    // task-cache keeps its buffer with the thread until it exits (the kmalloc-64 object)
    const kept = w.s.k.mem.liveObjectsSince(base).map((o) => o.site);
    expect(kept).toEqual(name === 'task-cache' ? ['pfm_get_smpl_arg'] : []);
  });

  it('the strategy sees one smpl_arg element of the format size, with a slot of its own for the call', () => {
    const seen: string[] = [];
    const base = createStrategy('kmalloc');
    const probe: ArgBufferStrategy = {
      ...base,
      contextCreated: (_k, _t, slot) => void seen.push(`created uid ${slot.uid}`),
      acquire(call) {
        seen.push(`${call.kind} ${call.count} x ${call.elemSize} = ${call.bytes}, limit ${call.limit}`);
        return base.acquire(call);
      },
      contextClosed: (_k, _t, slot) => void seen.push(`closed ${slot.id}`),
    };
    const w = testWorld({ strategy: probe });
    expect(create23(w, 4096)).toEqual(ok(0));
    // the context's own slot is created after the argument's (contextCreated of newContext)
    expect(seen).toEqual([
      'created uid 1000',
      'smpl_arg 1 x 64 = 64, limit 4096',
      'created uid 1000',
      'closed 0',
    ]);
    expect(w.s.contexts[0]!.id).toBe(1);
  });

  it("a strategy's frame for the argument deepens the call; its cycles are the strategy's", () => {
    const framed = (bytes: number): ArgBufferStrategy => ({
      ...createStrategy('kmalloc'),
      frameBytes: (kind) => (kind === 'smpl_arg' ? bytes : 0),
    });
    const deepest = (bytes: number) => {
      const w = testWorld({ strategy: framed(bytes) });
      w.t.callStackHigh = 0;
      expect(create23(w, 4096)).toEqual(ok(0));
      return w.t.callStackHigh;
    };
    expect(deepest(512) - deepest(0)).toBe(512);
    const cycles = (name: StrategyName) => {
      const w = testWorld({ strategy: createStrategy(name) });
      create23(w, 4096);
      const before = w.t.clock.snapshot();
      create23(w, 4096);
      return w.t.clock.since(before).alloc;
    };
    // task-cache's second call reuses the thread's buffer: one kmalloc/kfree pair less
    const k = testWorld().s.k;
    expect(cycles('kmalloc') - cycles('task-cache')).toBe(k.costs.kmallocFast + k.costs.kfreeFast);
  });

  it('a strategy refusing the argument gives its errno, and nothing is left', () => {
    const w = testWorld({ strategy: { ...createStrategy('kmalloc'), acquire: () => -E2BIG } });
    const base = w.s.k.mem.snapshot();
    expect(create23(w, 4096)).toEqual(fail(Errno.E2BIG));
    expect(w.s.contexts).toEqual([]);
    expectNothingLeft(w, base);
  });
});

/** Logs a hook's call and returns what it returned. */
function logged(log: string[], hook: string, ret: number): number {
  log.push(hook);
  return ret;
}

describe('a format of its own (the hooks, in the order pfm_setup_smpl_fmt calls them)', () => {
  /** The default format under another name, with some hooks replaced; each call logged. */
  function custom(w: TestWorld, over: Partial<SmplFormat>, log: string[] = []): string {
    const fmt: SmplFormat = {
      ...DFL_SMPL_FMT,
      name: 'mine',
      uuid: null,
      validate: (...a) => logged(log, 'validate', DFL_SMPL_FMT.validate(...a)),
      getsize: (...a) => logged(log, 'getsize', DFL_SMPL_FMT.getsize(...a)),
      init: (...a) => logged(log, 'init', DFL_SMPL_FMT.init(...a)),
      exit: (...a) => logged(log, 'exit', DFL_SMPL_FMT.exit(...a)),
      ...over,
    };
    expect(w.s.formats.register(fmt, false, 4096)).toBe(0);
    return 'mine';
  }

  it('validate, getsize, the buffer, init; exit at close', () => {
    const w = testWorld();
    const log: string[] = [];
    custom(w, {}, log);
    expect(create23(w, 4096, { name: cstring(w, 'mine') })).toEqual(ok(0));
    expect(log).toEqual(['validate', 'getsize', 'init']);
    expect(w.g.close(0)).toEqual(ok(0));
    expect(log).toEqual(['validate', 'getsize', 'init', 'exit']);
  });

  it("init's errno fails the call: the buffer and its charge are undone, and exit is not called (v2.2)", () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    const log: string[] = [];
    custom(w, { init: () => logged(log, 'init', -Errno.EBUSY) }, log);
    expect(create23(w, 4096, { name: cstring(w, 'mine') })).toEqual(fail(Errno.EBUSY));
    expect(log).toEqual(['validate', 'getsize', 'init']);
    expect(w.s.contexts).toEqual([]);
    expectNothingLeft(w, base);
  });

  it("getsize's errno fails the call before any buffer; a size of 0 means a format with no buffer", () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    custom(w, { getsize: () => -Errno.E2BIG });
    expect(create23(w, 4096, { name: cstring(w, 'mine') })).toEqual(fail(Errno.E2BIG));
    expectNothingLeft(w, base);
    w.s.formats.unregister('mine');
    const log: string[] = [];
    custom(w, { getsize: () => 0 }, log);
    expect(create23(w, 4096, { name: cstring(w, 'mine') })).toEqual(ok(0));
    // no buffer: init is not called, nothing is charged, and there is nothing to map
    expect(log).toEqual(['validate']);
    expect(w.s.contexts[0]!.smpl).toMatchObject({ addr: 0, size: 0 });
    expect(w.p.lockedVm).toBe(0);
    expect(w.g.mmap(0, 4096, PROT_READ)).toEqual(fail(EINVAL));
    expect(w.g.close(0)).toEqual(ok(0));
    expectNothingLeft(w, base);
  });

  it('a format without an argument copies none: any pointer will do', () => {
    const w = testWorld();
    custom(w, { argSize: 0, validate: () => 0, getsize: () => 4096, init: () => 0 });
    expect(create23(w, 4096, { name: cstring(w, 'mine'), arg: 0x10, size: 0 })).toEqual(ok(0));
    expect(w.s.contexts[0]!.smpl!.size).toBe(4096);
  });
});

describe('the format argument call, in detail', () => {
  it('the strategy holds the copy for the caller (args:uid:N) while the call runs, and the call leaves its frames and site as they were', () => {
    const held: number[] = [];
    const base = createStrategy('kmalloc');
    const w = testWorld({
      strategy: {
        ...base,
        release(call) {
          held.push(w.s.k.mem.ownerLiveBytes('args:uid:1000'));
          base.release(call);
        },
      },
    });
    expect(create23(w, 4096)).toEqual(ok(0));
    expect(held).toEqual([64]);
    expect(w.t.stackDepth).toBe(0);
    // the thread's argument call goes back to the vectors' allocation site
    const call = w.s.callFor(w.t);
    expect(call.site).toBe(w.s.argSite);
  });

  it("a strategy frame over CONFIG_FRAME_WARN is reported under the argument's frame name", () => {
    const base = createStrategy('kmalloc');
    const w = testWorld({ strategy: { ...base, frameBytes: (kind) => (kind === 'smpl_arg' ? 2048 : 0) } });
    expect(create23(w, 4096)).toEqual(ok(0));
    expect(w.s.k.stacks.warnings.map((x) => x.frame)).toEqual(['sys_pfm_get_smpl_arg args']);
  });

  it('a format without an argument never reaches the strategy', () => {
    let calls = 0;
    const base = createStrategy('kmalloc');
    const w = testWorld({
      strategy: {
        ...base,
        acquire(call) {
          calls++;
          return base.acquire(call);
        },
      },
    });
    const fmt: SmplFormat = { ...DFL_SMPL_FMT, name: 'bare', uuid: null, argSize: 0, validate: () => 0 };
    expect(w.s.formats.register({ ...fmt, getsize: () => 4096, init: () => 0 }, false, 4096)).toBe(0);
    expect(create23(w, 4096, { name: cstring(w, 'bare'), arg: 0, size: 0 })).toEqual(ok(0));
    expect(calls).toBe(0);
  });

  it('an unmapped buffer stays with its open context: mapped again, the header is still there', () => {
    const w = testWorld();
    expect(create23(w, 4096)).toEqual(ok(0));
    const first = w.g.mmap(0, 4096, PROT_READ);
    expect(first.ok).toBe(true);
    w.p.mm.munmap((first as { value: number }).value, 4096);
    expect(w.s.sysfs.read('smpl_buffer_mem')).toEqual(ok('4096'));
    const again = w.g.mmap(0, 4096, PROT_READ);
    const u = (again as { value: number }).value;
    expect(decodeDflSmplHdr(w.p.mm.dataView(u, 128, false), 0)).toMatchObject({ hdr_version: 0x10000 });
  });

  it('v2.3 copies nothing back into the pfarg_ctx and returns each new fd', () => {
    const w = testWorld();
    const u = w.buf(64);
    w.p.mm.dataView(u, 64, true).setUint32(0, 0, true);
    const arg = dflArg(w, 4096);
    const dfl = cstring(w, 'default');
    expect(w.g.pfm_create_context(u, dfl, arg, 64)).toEqual(ok(0));
    expect(w.g.pfm_create_context(u, dfl, arg, 64)).toEqual(ok(1));
    expect([...w.p.mm.read(u, 64)].every((b) => b === 0)).toBe(true);
  });

  it('x86_64: (size_t)-1 is 2^64 - 1; the 32-bit all-ones value is a wrong size there', () => {
    const w = testWorld({ machine: { arch: 'x86_64', cost: 'core2-2007', pmu: 'intel-core' } });
    expect(create23(w, 4096, { size: 2 ** 64 - 1 })).toEqual(ok(0));
    expect(create23(w, 4096, { size: 0xffffffff })).toEqual(fail(EINVAL));
  });
});

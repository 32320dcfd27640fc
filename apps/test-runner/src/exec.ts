/**
 * Running steps: each step is kernel-sim thread code (a generator), so the same code runs a
 * sequential script (driven by runSync) and concurrent threads under the scheduler.
 */
import { type KGen, PROT_NONE, PROT_READ, PROT_WRITE, type Process, type Thread } from '@pfmsim/kernel-sim';
import {
  DFL_ENTRY_BYTES,
  DFL_ENTRY_OFF,
  DFL_HDR_BYTES,
  DFL_HDR_OFF,
  errnoName,
  MSG_BYTES,
  type PfmContext,
} from '@pfmsim/perfmon-core';
import { sameBytes } from './bytes.js';
import { formatPath, type Path, ScenarioPathError } from './load.js';
import {
  CALLS,
  type CallName,
  type Expect,
  type Pointer,
  type SmplExpect,
  type Step,
  type StructKind,
} from './schema.js';
import { matchStruct, structLayout, structSize } from './structs.js';
import type { Buf, World } from './world.js';

interface Ptr {
  readonly addr: number;
  readonly buf: Buf | null;
}

const NO_PTR: Ptr = { addr: 0, buf: null };

/** A result as the reports show it: `ok 3` or `EFAULT`. */
export function showResult(r: number): string {
  return r < 0 ? errnoName(-r) : `ok ${r}`;
}

function pointer(w: World, p: Pointer | undefined, kind: StructKind | null, proc: Process, path: Path): Ptr {
  if (p === undefined || p === null) return NO_PTR;
  if (typeof p === 'number') return { addr: p, buf: null };
  if (typeof p === 'string') {
    if (p === 'null') return NO_PTR;
    if (p === 'unmapped') return { addr: w.special(proc, 'hole'), buf: null };
    if (p === 'readonly') return { addr: w.special(proc, 'ro'), buf: null };
    if (p === 'kernel') return { addr: proc.mm.userLimit, buf: null };
    const m = /^([A-Za-z_][\w-]*)(?:\s*([+-])\s*(\d+|0x[0-9a-fA-F]+))?$/.exec(p)!;
    const buf = w.buffers.get(m[1]!)!;
    const off = m[3] === undefined ? 0 : Number(m[3]) * (m[2] === '-' ? -1 : 1);
    return { addr: buf.data + off, buf };
  }
  // inline: a buffer of its own (each step runs once per world)
  const spec =
    'struct' in p ||
    'value' in p ||
    'count' in p ||
    'bytes' in p ||
    'boundary' in p ||
    'offset' in p ||
    'prot' in p ||
    'not_present' in p ||
    'unmapped' in p ||
    'process' in p
      ? (p as Exclude<Pointer, string | number | null>)
      : (() => {
          const keys = Object.keys(p);
          if (keys.length !== 1)
            throw new ScenarioPathError(path, 'an inline buffer names one struct: {pmd: [...]}');
          const k = keys[0] as StructKind;
          return { struct: k, value: (p as Record<string, unknown>)[k] } as Exclude<
            Pointer,
            string | number | null
          >;
        })();
  let owner = proc;
  const procName = (spec as { process?: string }).process;
  if (procName !== undefined) {
    const named = w.procs.get(procName);
    if (!named)
      throw new ScenarioPathError(
        [...path, 'process'],
        `unknown process ${JSON.stringify(procName)} (processes: ${[...w.procs.keys()].join(', ')})`,
      );
    owner = named;
  }
  const buf = w.createBuffer(formatPath(path), spec as never, kind, owner, path);
  return { addr: buf.data, buf };
}

function snapshotBytes(w: World, buf: Buf | null): Uint8Array | null {
  if (!buf) return null;
  return w.copyBytes(buf.proc, buf.data, buf.dataBytes);
}

interface Outcome {
  result: number | null;
  /** sysfs_read */
  text?: string;
  ptr: Ptr;
  before: Uint8Array | null;
  cost: number;
  /** check: smpl: the context whose sampling buffer the expectations read (null: fd names none; undefined: not a check: smpl step) */
  smpl?: PfmContext | null | undefined;
}

/** The outcome as failure messages show it. */
function shown(o: Outcome): string {
  const r = o.result;
  return r === null ? (o.text !== undefined ? JSON.stringify(o.text) : 'nothing') : showResult(r);
}

/** Checks one expectation; returns the first mismatch as text, or null. */
function check(w: World, e: Expect, o: Outcome, path: Path): string | null {
  if (e.by_strategy) {
    const own = e.by_strategy[w.strategyName];
    if (own) return check(w, own, o, [...path, 'by_strategy', w.strategyName]);
  }
  if (e.one_of) {
    const misses: string[] = [];
    for (let i = 0; i < e.one_of.length; i++) {
      const m = check(w, e.one_of[i]!, o, [...path, 'one_of', i]);
      if (m === null) return null;
      misses.push(m);
    }
    return `none of one_of holds: ${misses.join('; ')}`;
  }
  const r = o.result;
  if (e.errno !== undefined) {
    const names = Array.isArray(e.errno) ? e.errno : [e.errno];
    if (r === null || r >= 0 || !names.includes(errnoName(-r)))
      return `expected errno ${names.join(' or ')}, got ${shown(o)}`;
  }
  if (e.ret !== undefined) {
    const want = w.num(e.ret, [...path, 'ret']);
    if (r !== want) return `expected ok ${want}, got ${shown(o)}`;
  }
  // a sysfs_read that read its text succeeded; steps without a result have no success to check
  const success = r !== null ? r >= 0 : o.text !== undefined ? true : null;
  if (e.ok !== undefined && success !== null && success !== e.ok)
    return `expected ${e.ok ? 'success' : 'failure'}, got ${shown(o)}`;
  if (e.value !== undefined && String(e.value) !== o.text)
    return `expected value ${JSON.stringify(String(e.value))}, got ${shown(o)}`;
  if (e.unchanged !== undefined) {
    const now = snapshotBytes(w, o.ptr.buf);
    const same = o.before !== null && now !== null && sameBytes(o.before, now);
    if (same !== e.unchanged)
      return e.unchanged
        ? 'the buffer changed (expected it unchanged)'
        : 'the buffer is unchanged (expected a copy back)';
  }
  if (e.smpl !== undefined) {
    if (o.smpl === undefined)
      throw new ScenarioPathError([...path, 'smpl'], 'smpl: is checked by a check: smpl step');
    const m = matchSmpl(w, o.smpl, e.smpl, [...path, 'smpl']);
    if (m) return m;
  }
  if (e.out !== undefined) {
    if (!o.ptr.buf) throw new ScenarioPathError([...path, 'out'], 'out: needs a buffer argument');
    const m = matchBuffer(w, o.ptr.buf, o.ptr.addr, e.out, [...path, 'out']);
    if (m) return `out ${m}`;
  }
  for (const [name, want] of Object.entries(e.buffers ?? {})) {
    const buf = w.buffers.get(name);
    if (!buf)
      throw new ScenarioPathError([...path, 'buffers', name], `unknown buffer ${JSON.stringify(name)}`);
    const m = matchBuffer(w, buf, buf.data, want, [...path, 'buffers', name]);
    if (m) return `buffer ${name} ${m}`;
  }
  if (e.cost !== undefined) {
    if (e.cost.min !== undefined && o.cost < e.cost.min) return `cost ${o.cost} cycles < min ${e.cost.min}`;
    if (e.cost.max !== undefined && o.cost > e.cost.max) return `cost ${o.cost} cycles > max ${e.cost.max}`;
  }
  if (e.memory === 'baseline') {
    const live = w.k.mem.liveObjectsSince(w.baseline);
    if (live.length > 0)
      return `kernel memory not back to baseline: ${live.map((x) => `${x.size} B at ${x.site} for ${x.owner}`).join(', ')}`;
  }
  if (e.pinned) return matchPinned(w, e.pinned);
  return null;
}

/** Argument memory kept for uid `want.uid` (or every user) against `want.bytes` / `want.max`. */
function matchPinned(w: World, want: NonNullable<Expect['pinned']>): string | null {
  const who = want.uid === undefined ? 'all users' : `uid ${want.uid}`;
  let bytes = 0;
  if (want.uid === undefined) for (const b of w.k.mem.liveBytesByOwner('args:uid:').values()) bytes += b;
  else bytes = w.sys.pinnedArgBytes(want.uid);
  if (want.bytes !== undefined && bytes !== want.bytes)
    return `pinned argument memory of ${who}: ${bytes} B, expected ${want.bytes} B`;
  if (want.max !== undefined && bytes > want.max)
    return `pinned argument memory of ${who}: ${bytes} B, more than the ${want.max} B allowed`;
  return null;
}

/**
 * The sampling buffer of `ctx` against `want`: the header by its C names, then the entries in
 * order, each its fixed 40 bytes and `pmds:` the values after them (one per PMD in the
 * overflowed PMD's reg_smpl_pmds, in the set the entry names).
 */
function matchSmpl(w: World, ctx: PfmContext | null, want: SmplExpect, path: Path): string | null {
  const buf = ctx?.smpl;
  // Stryker disable next-line ConditionalExpression: addr 0 is a format that wants no buffer; scenarios name the default format, which always has one
  if (!buf || buf.addr === 0) return 'the fd has no sampling buffer';
  const view = w.k.mem.view;
  const resolve = (x: unknown) => w.big(x, path);
  if (want.hdr) {
    const m = matchStruct(w.abi, 'smpl_hdr', view, buf.addr, want.hdr, resolve);
    if (m) return `smpl hdr ${m}`;
  }
  // Stryker disable next-line ArithmeticOperator: hdr_count is the header's first field (offset 0)
  const count = Number(view.getBigUint64(buf.addr + DFL_HDR_OFF.hdr_count, true));
  let at = buf.addr + DFL_HDR_BYTES;
  for (const [i, e] of (want.entries ?? []).entries()) {
    if (i >= count) return `smpl entries: expected at least ${i + 1}, hdr_count is ${count}`;
    const pmd = view.getUint16(at + DFL_ENTRY_OFF.ovfl_pmd, true);
    const set = ctx!.sets.find(view.getUint16(at + DFL_ENTRY_OFF.set, true));
    let n = 0;
    // Stryker disable next-line EqualityOperator: pfm_write_pmds refuses a bit of an unimplemented PMD, so bit maxPmd is never set
    for (let q = 0; set && q < w.sys.pmu.maxPmd; q++) if (set.samplesOnOverflow(pmd, q)) n++;
    if (e !== null) {
      const { pmds, ...fixed } = e;
      const m = matchStruct(w.abi, 'smpl_entry', view, at, fixed, resolve);
      if (m) return `smpl entries[${i}] ${m}`;
      const values = pmds === undefined ? [] : Array.isArray(pmds) ? pmds : [pmds];
      if (pmds !== undefined && values.length !== n)
        return `smpl entries[${i}] pmds: expected ${values.length} values, the entry has ${n}`;
      for (let j = 0; j < values.length; j++) {
        const got = view.getBigUint64(at + DFL_ENTRY_BYTES + 8 * j, true);
        const v = BigInt.asUintN(64, resolve(values[j]));
        if (got !== v) return `smpl entries[${i}] pmds[${j}]: expected ${v}, got ${got}`;
      }
    }
    at += DFL_ENTRY_BYTES + 8 * n;
  }
  return null;
}

function matchBuffer(w: World, buf: Buf, addr: number, want: unknown, path: Path): string | null {
  if (buf.kind === null) throw new ScenarioPathError(path, 'the buffer has no struct: to compare fields');
  const size = structSize(w.abi, buf.kind);
  const items = Array.isArray(want) ? want : [want];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || item === undefined) continue;
    const view = w.raw(buf.proc, addr + i * size, size);
    if (!view) throw new ScenarioPathError(path, `element ${i} lies outside the buffer`);
    const m = matchStruct(w.abi, buf.kind, view, 0, item as Record<string, unknown>, (x) => w.big(x, path));
    if (m) return `[${i}] ${m}`;
  }
  return null;
}

function record(w: World, step: Step, where: string, path: Path, result: string, bufs: (Buf | null)[]): void {
  const mem: { label: string; kind: StructKind | null; bytes: Uint8Array }[] = [];
  for (const b of bufs) {
    const bytes = snapshotBytes(w, b);
    if (!b || !bytes) continue;
    if (b.kind !== null && w.plan.ignoreFields.size > 0) {
      // fields the scenario leaves out of the comparison are zeroed in the observation
      const layout = structLayout(w.abi, b.kind);
      for (const f of layout.fields) {
        if (!w.plan.ignoreFields.has(f.name)) continue;
        for (let at = f.offset; at < bytes.length; at += layout.size)
          bytes.fill(0, at, Math.min(bytes.length, at + f.size));
      }
    }
    mem.push({ label: b.label, kind: b.kind, bytes });
  }
  const compare = step.differential !== false && step.expect?.by_strategy === undefined;
  w.log.push({ where, path, result, mem, compare });
}

function verify(w: World, step: Step, where: string, path: Path, o: Outcome): void {
  if (!step.expect) return;
  const m = check(w, step.expect, o, [...path, 'expect']);
  if (m !== null) w.failures.push(`${where}: ${m}`);
}

function syscall(
  w: World,
  t: Thread,
  name: CallName,
  fd: number,
  a: Ptr,
  count: number,
  step: Step,
  path: Path,
): KGen<number> | number {
  const s = w.sys.sys;
  switch (name) {
    case 'pfm_create_context': {
      const fmtName = pointer(w, step.fmt_name, null, t.process, [...path, 'fmt_name']);
      const fmtArg = pointer(w, step.fmt_arg, null, t.process, [...path, 'fmt_arg']);
      const fmtSize = step.fmt_size === undefined ? 0 : w.num(step.fmt_size, [...path, 'fmt_size']);
      return s.pfm_create_context(t, a.addr, fmtName.addr, fmtArg.addr, fmtSize);
    }
    case 'pfm_write_pmcs':
      return s.pfm_write_pmcs(t, fd, a.addr, count);
    case 'pfm_write_pmds':
      return s.pfm_write_pmds(t, fd, a.addr, count);
    case 'pfm_read_pmds':
      return s.pfm_read_pmds(t, fd, a.addr, count);
    case 'pfm_load_context':
      return s.pfm_load_context(t, fd, a.addr);
    case 'pfm_start':
      return s.pfm_start(t, fd, a.addr);
    case 'pfm_stop':
      return s.pfm_stop(t, fd);
    case 'pfm_restart':
      return s.pfm_restart(t, fd);
    case 'pfm_create_evtsets':
      return s.pfm_create_evtsets(t, fd, a.addr, count);
    case 'pfm_getinfo_evtsets':
      return s.pfm_getinfo_evtsets(t, fd, a.addr, count);
    case 'pfm_delete_evtsets':
      return s.pfm_delete_evtsets(t, fd, a.addr, count);
    case 'pfm_unload_context':
      return s.pfm_unload_context(t, fd);
    case 'read':
      return s.read(t, fd, a.addr, count);
    case 'poll':
      return s.poll(t, fd);
    case 'close':
      return s.close(t, fd);
    case 'dup':
      return s.dup(t, fd);
    case 'set_nonblock':
      return s.setNonblock(t, fd, step.on ?? true);
    case 'mmap': {
      if (step.size === undefined)
        throw new ScenarioPathError([...path, 'size'], 'mmap needs size: (the length)');
      const offset = step.offset === undefined ? 0 : w.num(step.offset, [...path, 'offset']);
      // Stryker disable next-line StringLiteral: no step reads user memory, so a mapping's prot shows only when it is refused (rw: EINVAL)
      return s.mmap(t, fd, w.num(step.size, [...path, 'size']), PROT[step.prot ?? 'ro'], offset);
    }
  }
}

/** The pointer argument of a call, with the conveniences (inline ctx/load/start from flags/pid/set). */
function callPointer(w: World, step: Step, t: Thread, path: Path): Ptr {
  const name = step.call!;
  const kind = CALLS[name].struct as StructKind | null;
  if (step.arg !== undefined) {
    for (const sugar of ['flags', 'pid', 'set'] as const) {
      if (step[sugar] !== undefined)
        throw new ScenarioPathError([...path, sugar], `${sugar} and arg exclude each other`);
    }
    return pointer(w, step.arg, kind, t.process, [...path, 'arg']);
  }
  if (name === 'pfm_create_context') {
    return pointer(w, { struct: 'ctx', value: { ctx_flags: step.flags ?? 0 } }, 'ctx', t.process, [
      ...path,
      'flags',
    ]);
  }
  if (name === 'pfm_load_context') {
    const pid = step.pid === undefined ? t.tid : w.num(step.pid, [...path, 'pid']);
    const set = step.set === undefined ? 0 : w.num(step.set, [...path, 'set']);
    return pointer(w, { struct: 'load', value: { load_pid: pid, load_set: set } }, 'load', t.process, [
      ...path,
      'pid',
    ]);
  }
  if (name === 'pfm_start' && step.set !== undefined) {
    const set = w.num(step.set, [...path, 'set']);
    return pointer(w, { struct: 'start', value: { start_set: set } }, 'start', t.process, [...path, 'set']);
  }
  if (name === 'read') return pointer(w, { struct: 'msg' }, 'msg', t.process, [...path, 'arg']);
  return NO_PTR;
}

function* callStep(w: World, step: Step, t: Thread, where: string, path: Path): KGen<void> {
  const name = step.call!;
  // (a real kernel never runs one: the runner would otherwise charge a dead task's caches)
  if (t.exited)
    throw new ScenarioPathError(path, 'its thread has exited: an exited thread makes no system call');
  const spec = CALLS[name];
  const fd = (spec.params as readonly string[]).includes('fd') ? w.num(step.fd ?? '$fd', [...path, 'fd']) : 0;
  const a = callPointer(w, step, t, path);
  let count = 0;
  if (spec.vector) {
    if (step.count !== undefined) count = w.num(step.count, [...path, 'count']);
    else if (a.buf) count = a.buf.count;
    else throw new ScenarioPathError([...path, 'count'], 'count: is needed when arg is not a buffer');
  } else if (name === 'read') {
    count =
      step.size !== undefined ? w.num(step.size, [...path, 'size']) : a.buf ? a.buf.dataBytes : MSG_BYTES;
  }
  const before = step.expect?.unchanged !== undefined ? snapshotBytes(w, a.buf) : null;
  const clock = t.clock.total;
  w.syscalls++;
  const call = syscall(w, t, name, fd, a, count, step, path);
  const r = typeof call === 'number' ? call : yield* call;
  const cost = t.clock.total - clock;
  record(w, step, where, path, showResult(r), [a.buf]);
  verify(w, step, where, path, { result: r, ptr: a, before, cost });
  if (step.save !== undefined && r >= 0) {
    let value = r;
    if (name === 'pfm_create_context' && !w.abi.createContextReturnsFd && a.buf) {
      value = w.raw(a.buf.proc, a.buf.data, w.abi.sizes.ctx)!.getInt32(w.abi.offsets.ctxFd, true);
    }
    w.vars.set(step.save, value);
  }
}

const PROT = { rw: PROT_READ | PROT_WRITE, ro: PROT_READ, none: PROT_NONE } as const;

/** One step on thread t: kernel code, so it may yield under a scheduler. */
export function* execStep(w: World, step: Step, t: Thread, where: string, path: Path): KGen<void> {
  if (step.call !== undefined) {
    yield* callStep(w, step, t, where, path);
    return;
  }
  const clock = t.clock.total;
  const other = (name: string) => (name === 'self' ? t : w.thread(name));
  let result: number | null = null;
  let text: string | undefined;
  let bufs: (Buf | null)[] = [];
  let smpl: PfmContext | null | undefined;
  if (step.run !== undefined) {
    const workload =
      step.workload !== undefined ? w.plan.workloads.get(step.workload)! : w.plan.stepWorkloads.get(step)!;
    yield* w.sys.run(t, workload, w.num(step.run, [...path, 'run']));
  } else if (step.sysfs_read !== undefined) {
    const r = w.sys.sysfs.read(step.sysfs_read);
    if (r.ok) text = r.value;
    else result = -r.errno;
    if (step.save !== undefined && r.ok && /^-?\d+$/.test(r.value)) w.vars.set(step.save, Number(r.value));
  } else if (step.sysfs_write !== undefined) {
    const r = w.sys.sysfs.write(step.sysfs_write, String(step.value), step.uid ?? t.process.uid);
    result = r.ok ? 0 : -r.errno;
  } else if (step.ptrace_attach !== undefined) {
    w.sys.ptraceAttach(t, other(step.ptrace_attach));
  } else if (step.ptrace_detach !== undefined) {
    w.sys.ptraceDetach(other(step.ptrace_detach));
  } else if (step.exit !== undefined) {
    w.k.exitThread(other(step.exit));
  } else if (step.fill !== undefined) {
    const buf = w.buffers.get(step.fill)!;
    w.fill(buf, step.value, [...path, 'value']);
  } else if (step.unmap !== undefined || step.drop_pages !== undefined || step.protect !== undefined) {
    const buf = w.buffers.get((step.unmap ?? step.drop_pages ?? step.protect)!)!;
    const page = w.k.arch.pageSize;
    const from = step.page === undefined ? buf.base : buf.base + step.page * page;
    const len = step.page === undefined ? buf.mapBytes : page;
    const mm = buf.proc.mm;
    if (step.unmap !== undefined) mm.munmap(from, len);
    else if (step.drop_pages !== undefined) mm.dropPages(from, len);
    else mm.mprotect(from, len, PROT[step.prot!]);
  } else if (step.check !== undefined) {
    // expectations only (memory: baseline; pinned: per uid; smpl: the buffer of the context at fd:)
    if (step.check === 'smpl') smpl = w.sys.lookup(t, w.num(step.fd ?? '$fd', [...path, 'fd']));
  }
  if (step.expect?.buffers) bufs = Object.keys(step.expect.buffers).map((n) => w.buffers.get(n) ?? null);
  record(
    w,
    step,
    where,
    path,
    result === null ? (text !== undefined ? JSON.stringify(text) : '-') : showResult(result),
    bufs,
  );
  verify(w, step, where, path, {
    result,
    ...(text !== undefined ? { text } : {}),
    ptr: NO_PTR,
    before: null,
    cost: t.clock.total - clock,
    smpl,
  });
}

/**
 * One simulated world per run (per strategy; explored schedules restore a snapshot of it): the perfmon2 system, the
 * scenario's processes, threads and user buffers, the saved values, and what the run observed.
 */
import type { ArgBufferStrategy } from '@pfmsim/buffer-strategies';
import {
  type Kernel,
  type MemSnapshot,
  PROT_NONE,
  PROT_READ,
  type Process,
  SNAPSHOT,
  type SnapshotPart,
  type Thread,
} from '@pfmsim/kernel-sim';
import { createSystem, errnoName, type PerfmonSystem, type V2AbiProfile } from '@pfmsim/perfmon-core';
import { type Path, ScenarioPathError } from './load.js';
import type { Plan } from './plan.js';
import type { BufferSpec, StructKind } from './schema.js';
import { encodeStruct, structSize } from './structs.js';
import { toBigInt, ValueError } from './values.js';

/** A user buffer: where it is mapped and where its data lies. */
export interface Buf {
  readonly label: string;
  readonly proc: Process;
  readonly kind: StructKind | null;
  readonly base: number;
  readonly mapBytes: number;
  readonly data: number;
  readonly dataBytes: number;
  readonly count: number;
}

/** What one step observed, for the comparison between strategies. */
export interface Observation {
  readonly where: string;
  /** The step's path in the scenario. */
  readonly path: Path;
  readonly result: string;
  readonly mem: readonly {
    readonly label: string;
    readonly kind: StructKind | null;
    readonly bytes: Uint8Array;
  }[];
  readonly compare: boolean;
}

/** Encoded contents of struct values that hold no $reference, shared by every world. */
const encodedCache = new WeakMap<object, { abi: string; kind: StructKind; bytes: Uint8Array }>();

export class World {
  readonly sys: PerfmonSystem;
  readonly k: Kernel;
  readonly abi: V2AbiProfile;
  readonly procs = new Map<string, Process>();
  readonly threads = new Map<string, Thread>();
  readonly buffers = new Map<string, Buf>();
  readonly vars = new Map<string, number>();
  readonly failures: string[] = [];
  readonly log: Observation[] = [];
  /** System calls made so far (call steps that ran), for the fuzzer's budget. */
  syscalls = 0;
  /** Set when a thread was killed by a fatal KernelBug: the run stops. */
  dead = false;
  readonly baseline: MemSnapshot;
  private readonly specials = new Map<Process, { hole: number; ro: number }>();
  /**
   * Where copies of user bytes (observations, a buffer before a call) are kept: a typed array
   * over 64 bytes costs V8 a microsecond or more to allocate (an off-heap store) where a view
   * on this one costs tens of nanoseconds. A snapshot restore rewinds `scratchUsed` (the bytes
   * are not restored: what a run wrote past the snapshot's mark is garbage after it).
   */
  private readonly scratch = new Uint8Array(1 << 16);
  private scratchUsed = 0;

  /** Snapshots of the world (kernel-sim's snapshot.ts) leave out the scenario: it never changes. */
  [SNAPSHOT](): SnapshotPart {
    return { keep: ['plan', 'strategyName', 'abi', 'scratch'] };
  }

  /** The kernel, by the name schedule exploration runs a world by. */
  get kernel(): Kernel {
    return this.k;
  }

  constructor(
    readonly plan: Plan,
    readonly strategyName: string,
    strategy: ArgBufferStrategy,
    seed: number,
  ) {
    const d = plan.sc.data;
    const o = d.options ?? {};
    this.sys = createSystem({
      machine: { arch: plan.machine.arch, cost: plan.machine.cost, pmu: plan.model },
      strategy,
      abi: plan.abi.id,
      seed,
      cpus: plan.cpus,
      arenaBytes: plan.arenaBytes,
      ...(plan.faults ? { faults: plan.faults } : {}),
      ...(o.retflags ? { retflags: o.retflags } : {}),
      ...(o.notify_block_self ? { notifyBlockSelf: o.notify_block_self } : {}),
      ...(o.disabled ? { disabled: o.disabled } : {}),
    });
    this.k = this.sys.k;
    this.abi = this.sys.abi;
    for (const p of plan.processes) {
      const proc = this.sys.process({ uid: p.uid, gid: p.gid, name: p.name });
      if (p.fdLimit !== undefined) proc.fdLimit = p.fdLimit;
      if (p.memlock !== undefined) proc.memlockLimit = p.memlock;
      this.procs.set(p.name, proc);
    }
    for (const t of plan.threads) {
      this.threads.set(t.name, this.sys.thread(this.procs.get(t.process)!, t.name, undefined, t.cpu));
    }
    const firstProc = this.procs.get(plan.processes[0]!.name)!;
    for (const [name, spec] of Object.entries(d.buffers ?? {})) {
      const proc = spec.process ? this.procs.get(spec.process)! : firstProc;
      this.buffers.set(name, this.createBuffer(name, spec, null, proc, ['buffers', name]));
    }
    for (const [path, value] of Object.entries(d.sysfs ?? {})) {
      const r = this.sys.sysfs.write(path, String(value), 0);
      if (!r.ok) throw new ScenarioPathError(['sysfs', path], `writing ${value} gives ${errnoName(r.errno)}`);
    }
    this.baseline = this.k.mem.snapshot();
  }

  thread(name: string): Thread {
    return this.threads.get(name)!;
  }

  get firstThread(): Thread {
    return this.threads.get(this.plan.threads[0]!.name)!;
  }

  /** A saved value or an id: `$fd`, `$worker.tid`, `$worker.cpu`, `$proc.pid`. */
  ref(text: string, path: Path): number {
    const m = /^\$([A-Za-z_][\w-]*)(?:\.(tid|pid|cpu))?$/.exec(text)!;
    const name = m[1]!;
    const attr = m[2];
    if (attr === undefined) {
      const v = this.vars.get(name);
      if (v === undefined) {
        const known = [...this.vars.keys()];
        throw new ScenarioPathError(
          path,
          `$${name} is not saved yet${known.length ? ` (saved: ${known.map((k) => `$${k}`).join(', ')})` : ''}`,
        );
      }
      return v;
    }
    const t = this.threads.get(name);
    if (t && attr === 'tid') return t.tid;
    if (t && attr === 'cpu') return t.cpu;
    const p = this.procs.get(name) ?? t?.process;
    if (p && attr === 'pid') return p.pid;
    throw new ScenarioPathError(path, `no thread or process ${JSON.stringify(name)} for $${name}.${attr}`);
  }

  /** Any integer-valued scenario value as a bigint. */
  big(v: unknown, path: Path): bigint {
    if (typeof v === 'string' && v.startsWith('$')) return BigInt(this.ref(v, path));
    try {
      return toBigInt(v);
    } catch (e) {
      throw new ScenarioPathError(path, (e as Error).message);
    }
  }

  num(v: unknown, path: Path): number {
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    const b = this.big(v, path);
    if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER))
      throw new ScenarioPathError(path, `${b} is out of range here`);
    return Number(b);
  }

  /** A DataView over user memory at [addr, addr+len) that changes no page state (the test's own view). */
  raw(proc: Process, addr: number, len: number): DataView | null {
    const r = proc.mm.regionOf(addr);
    if (!r || addr + len > r.start + r.size) return null;
    return new DataView(r.bytes.buffer, r.bytes.byteOffset + (addr - r.start), len);
  }

  /**
   * A copy of `len` user bytes at addr (null when they lie outside a mapping), valid while the
   * world is: in the scratch area while it has room, else a fresh array.
   */
  copyBytes(proc: Process, addr: number, len: number): Uint8Array | null {
    const v = this.raw(proc, addr, len);
    if (!v) return null;
    const from = new Uint8Array(v.buffer, v.byteOffset, len);
    if (this.scratchUsed + len > this.scratch.length) return from.slice();
    const copy = this.scratch.subarray(this.scratchUsed, this.scratchUsed + len);
    copy.set(from);
    this.scratchUsed += (len + 7) & ~7; // 8-aligned: compared a word at a time (bytes.ts)
    return copy;
  }

  /** Writes a buffer's contents (zeroing the data first). */
  fill(buf: Buf, value: unknown, path: Path): void {
    const view = this.raw(buf.proc, buf.data, buf.dataBytes)!;
    new Uint8Array(view.buffer, view.byteOffset, buf.dataBytes).fill(0);
    if (value === undefined) return;
    const values = Array.isArray(value) ? value : [value];
    if (buf.kind === null)
      throw new ScenarioPathError(path, 'give the buffer a struct: to fill it with values');
    if (values.length > buf.count)
      throw new ScenarioPathError(path, `${values.length} values for a buffer of ${buf.count} elements`);
    const size = structSize(this.abi, buf.kind);
    // values without $references encode the same in every world: encode once per plan
    const cached = encodedCache.get(value as object);
    if (
      cached &&
      cached.abi === this.abi.id &&
      cached.kind === buf.kind &&
      cached.bytes.length <= buf.dataBytes
    ) {
      new Uint8Array(view.buffer, view.byteOffset, cached.bytes.length).set(cached.bytes);
      return;
    }
    let refs = false;
    values.forEach((v, i) => {
      const at = [...path, ...(Array.isArray(value) ? [i] : [])];
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        throw new ScenarioPathError(at, `expected a ${buf.kind} struct (a mapping of field names)`);
      try {
        encodeStruct(
          this.abi,
          buf.kind!,
          view,
          i * size,
          v as Record<string, unknown>,
          (x) => {
            if (typeof x === 'string' && x.startsWith('$')) refs = true;
            return this.big(x, at);
          },
          buf.label,
        );
      } catch (e) {
        if (e instanceof ValueError) throw new ScenarioPathError(at, e.message);
        throw e;
      }
    });
    if (!refs && typeof value === 'object' && value !== null) {
      encodedCache.set(value as object, {
        abi: this.abi.id,
        kind: buf.kind,
        bytes: new Uint8Array(view.buffer, view.byteOffset, values.length * size).slice(),
      });
    }
  }

  createBuffer(label: string, spec: BufferSpec, kindHint: StructKind | null, proc: Process, path: Path): Buf {
    const text = spec.text === undefined ? null : new TextEncoder().encode(`${spec.text}\0`);
    // (a value: without struct: is refused by the plan already)
    if (text !== null && spec.struct !== undefined)
      throw new ScenarioPathError([...path, 'text'], 'text is a C string: it takes no struct:');
    const kind = text !== null ? null : (spec.struct ?? kindHint);
    const values = spec.value === undefined ? [] : Array.isArray(spec.value) ? spec.value : [spec.value];
    if (values.length > 0 && kind === null) throw new ScenarioPathError(path, 'give struct: to write value:');
    const page = this.k.arch.pageSize;
    const size = kind === null ? 1 : structSize(this.abi, kind);
    const count =
      spec.count ??
      (text !== null
        ? text.length
        : kind === null
          ? (spec.bytes ?? page)
          : Math.max(values.length, spec.value === undefined ? 1 : 0));
    if (values.length > count)
      throw new ScenarioPathError([...path, 'count'], `count ${count} < ${values.length} values`);
    const dataBytes = count * size;
    let offset = spec.offset ?? 0;
    let badFrom = -1;
    if (spec.boundary) {
      if (spec.offset !== undefined)
        throw new ScenarioPathError([...path, 'offset'], 'offset and boundary exclude each other');
      const b = spec.boundary.byte ?? (spec.boundary.element ?? 0) * size;
      if (b > dataBytes)
        throw new ScenarioPathError(
          [...path, 'boundary'],
          `boundary at byte ${b} lies beyond the ${dataBytes} data bytes`,
        );
      offset = (page - (b % page)) % page;
      badFrom = offset + b;
    }
    const need = Math.max(offset + Math.max(dataBytes, 1), badFrom >= 0 ? badFrom + 1 : 0, spec.bytes ?? 0);
    const mapBytes = Math.ceil(need / page) * page;
    const base = proc.mm.mmap(mapBytes);
    const buf: Buf = { label, proc, kind, base, mapBytes, data: base + offset, dataBytes, count };
    if (kind !== null) this.fill(buf, spec.value === undefined ? undefined : spec.value, [...path, 'value']);
    if (text !== null) proc.mm.write(buf.data, text);
    const mm = proc.mm;
    if (spec.prot === 'ro') mm.mprotect(base, mapBytes, PROT_READ);
    if (spec.prot === 'none') mm.mprotect(base, mapBytes, PROT_NONE);
    for (const p of spec.not_present ?? []) mm.dropPages(base + p * page, page);
    for (const p of spec.unmapped ?? []) mm.munmap(base + p * page, page);
    if (spec.boundary && badFrom >= 0) {
      const from = base + badFrom;
      const len = base + mapBytes - from;
      if (spec.boundary.fault === 'unmapped') mm.munmap(from, len);
      else if (spec.boundary.fault === 'readonly') mm.mprotect(from, len, PROT_READ);
      else mm.dropPages(from, len);
    }
    return buf;
  }

  /** An address in an unmapped hole, and a read-only zero page, of a process (made on first use). */
  special(proc: Process, which: 'hole' | 'ro'): number {
    let s = this.specials.get(proc);
    if (!s) {
      const page = this.k.arch.pageSize;
      const hole = proc.mm.mmap(page);
      proc.mm.munmap(hole, page);
      const ro = proc.mm.mmap(page, PROT_READ);
      s = { hole, ro };
      this.specials.set(proc, s);
    }
    return s[which];
  }

  /** Closes every perfmon fd, exits every thread; returns the kernel objects still live since the start. */
  teardown(): string[] {
    for (const proc of this.procs.values()) {
      const t = proc.threads.find((x) => !x.exited) ?? proc.threads[0];
      if (!t) continue;
      proc.files.forEach((f, fd) => {
        if (f !== null) this.sys.sys.close(t, fd);
      });
    }
    for (const t of this.threads.values()) this.k.exitThread(t);
    return this.k.mem
      .liveObjectsSince(this.baseline)
      .map((o) => `${o.size} B (${o.cache}) allocated at ${o.site} for ${o.owner}`);
  }
}

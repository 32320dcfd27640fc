/**
 * Snapshot and restore of a built world, the way a fork server starts each run from the state
 * after set-up: `takeSnapshot(roots)` records every object reachable from the roots (own data
 * properties, array elements, Map and Set entries, typed-array bytes) and `restore()` writes
 * them all back in place, so whatever a run changed or added is gone and the objects the world
 * held at the snapshot are the ones it holds again (identity kept: references stay valid).
 *
 * What it cannot see: state captured in closures or generators, private `#fields`, WeakMaps.
 * A world to be snapshotted keeps its mutable state in objects reachable from its roots (a
 * Kernel's `slots`, a Thread's `slots`); thread bodies (generators) are made after a restore.
 * Frozen objects are walked (they may hold mutable ones) but not recorded.
 *
 * An object may take part itself through the SNAPSHOT hook: fields the generic walk should
 * leave alone (`keep`: shared tables, arrays it restores itself) and a `restore` that runs
 * before the generic one (Memory restores its arena only up to the pages ever used).
 */

/** The hook an object implements to take part in snapshots itself. */
export const SNAPSHOT: unique symbol = Symbol('pfmsim.snapshot');

export interface SnapshotPart {
  /** Property names the generic restore neither records nor walks into. */
  readonly keep?: readonly string[];
  /** Restores what the object owns outside the generic record; runs before it. */
  readonly restore?: () => void;
  /** Buffers the object restores itself: typed arrays over them are not recorded. */
  readonly buffers?: readonly ArrayBufferLike[];
}

export interface Snapshotable {
  [SNAPSHOT](): SnapshotPart;
}

/** What a snapshot holds, for reports and tests. */
export interface SnapshotStats {
  readonly objects: number;
  readonly properties: number;
  readonly typedBytes: number;
  readonly parts: number;
}

type TypedArray =
  | Uint8Array
  | Uint8ClampedArray
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** A recorded world; `restore()` may be called any number of times. */
export class WorldSnapshot {
  private readonly objects: object[] = [];
  private readonly keys: (string | symbol)[][] = [];
  private readonly values: unknown[][] = [];
  private readonly arrays: unknown[][] = [];
  private readonly arrayValues: unknown[][] = [];
  private readonly maps: Map<unknown, unknown>[] = [];
  private readonly mapEntries: unknown[][] = [];
  private readonly sets: Set<unknown>[] = [];
  private readonly setValues: unknown[][] = [];
  private readonly typed: TypedArray[] = [];
  private readonly typedValues: TypedArray[] = [];
  private readonly partRestores: (() => void)[] = [];
  /** Writes every recorded property back (made once: see compileRestore). */
  private readonly restoreObjects: () => void;
  private readonly seen = new Set<unknown>();
  /** Typed arrays met in the walk, recorded at its end unless a part owns their buffer. */
  private readonly pendingTyped: TypedArray[] = [];
  private readonly ownedBuffers = new Set<ArrayBufferLike>();
  private properties = 0;
  private typedBytes = 0;

  constructor(roots: readonly unknown[]) {
    const stack = [...roots];
    while (stack.length > 0) this.visit(stack.pop(), stack);
    for (const t of this.pendingTyped) {
      if (this.ownedBuffers.has(t.buffer)) continue;
      this.typed.push(t);
      this.typedValues.push(t.slice());
      this.typedBytes += t.byteLength;
    }
    this.seen.clear();
    this.pendingTyped.length = 0;
    this.restoreObjects = compileRestore(this.objects, this.keys, this.values);
  }

  get stats(): SnapshotStats {
    return {
      objects: this.objects.length + this.arrays.length + this.maps.length + this.sets.length,
      properties: this.properties,
      typedBytes: this.typedBytes,
      parts: this.partRestores.length,
    };
  }

  private visit(x: unknown, stack: unknown[]): void {
    if (typeof x !== 'object' || x === null || this.seen.has(x)) return;
    this.seen.add(x);
    if (ArrayBuffer.isView(x)) {
      // A DataView is a window on a buffer recorded through its owner's typed arrays.
      if (!(x instanceof DataView)) this.pendingTyped.push(x as TypedArray);
      return;
    }
    // Stryker disable next-line ConditionalExpression: an ArrayBuffer has no own properties: walked as an object, nothing is recorded
    if (x instanceof ArrayBuffer) return;
    if (Array.isArray(x)) {
      if (!Object.isFrozen(x)) {
        this.arrays.push(x);
        this.arrayValues.push(x.slice());
        this.properties += x.length;
      }
      for (const v of x) stack.push(v);
      return;
    }
    if (x instanceof Map) {
      const entries: unknown[] = [];
      for (const [k, v] of x) entries.push(k, v);
      this.maps.push(x);
      this.mapEntries.push(entries);
      this.properties += x.size;
      for (const v of entries) stack.push(v);
      return;
    }
    if (x instanceof Set) {
      const values = [...x];
      this.sets.push(x);
      this.setValues.push(values);
      this.properties += values.length;
      for (const v of values) stack.push(v);
      return;
    }
    // Stryker disable next-line ConditionalExpression,LogicalOperator: these have no own properties either (their contents are out of reach, as the file comment says)
    if (x instanceof WeakMap || x instanceof WeakSet || x instanceof Promise) return;
    const part =
      typeof (x as Partial<Snapshotable>)[SNAPSHOT] === 'function' ? (x as Snapshotable)[SNAPSHOT]() : null;
    if (part?.restore) this.partRestores.push(part.restore);
    // Stryker disable next-line ArrayDeclaration: a string among the owned buffers matches no typed array's buffer
    for (const b of part?.buffers ?? []) this.ownedBuffers.add(b);
    const kept = part?.keep;
    const frozen = Object.isFrozen(x);
    const keys: (string | symbol)[] = [];
    const values: unknown[] = [];
    for (const key of Reflect.ownKeys(x)) {
      if (kept?.includes(key as string)) continue;
      const d = Object.getOwnPropertyDescriptor(x, key)!;
      if (!('value' in d)) continue; // an accessor: its state lives in a field recorded here
      stack.push(d.value);
      if (frozen || !d.writable) continue;
      keys.push(key);
      values.push(d.value);
    }
    if (keys.length === 0) return;
    this.objects.push(x);
    this.keys.push(keys);
    this.values.push(values);
    this.properties += keys.length;
  }

  /** Puts every recorded object back as it was at the snapshot. */
  restore(): void {
    for (const r of this.partRestores) r();
    this.restoreObjects();
    const { arrays, arrayValues } = this;
    for (let i = 0; i < arrays.length; i++) {
      const a = arrays[i]!;
      const v = arrayValues[i]!;
      // Compared before written: setting an array's length costs even when it is unchanged.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: writing what is there already is only slower (and a[v.length] is undefined, as is v[v.length])
      if (a.length !== v.length) a.length = v.length;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: as above
      for (let j = 0; j < v.length; j++) if (a[j] !== v[j]) a[j] = v[j];
    }
    const { maps, mapEntries } = this;
    for (let i = 0; i < maps.length; i++) {
      const m = maps[i]!;
      const e = mapEntries[i]!;
      // An unchanged map (the common case: tables filled at set-up) is left alone.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: skipping is only faster: clearing and refilling gives the same map
      if (m.size === e.length >> 1 && sameEntries(m, e)) continue;
      m.clear();
      for (let j = 0; j < e.length; j += 2) m.set(e[j], e[j + 1]);
    }
    const { sets, setValues } = this;
    for (let i = 0; i < sets.length; i++) {
      const s = sets[i]!;
      const v = setValues[i]!;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: as for maps
      if (s.size === v.length && sameValues(s, v)) continue;
      s.clear();
      for (const x of v) s.add(x);
    }
    const { typed, typedValues } = this;
    for (let i = 0; i < typed.length; i++) typed[i]!.set(typedValues[i]! as never);
  }
}

// In order: iteration order is part of the state (a key deleted and added again moves last).
// Stryker disable next-line Regex: it only chooses o.key or o["key"], which store the same
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The restore of objects' properties as one straight-line function, `o.key = V[i]` per
 * property: each store then sees one object shape (a monomorphic inline cache in V8), where a
 * loop over keys is one megamorphic store for all, several times slower per schedule. The code
 * holds only property names (as identifiers or JSON strings); symbol keys use a loop.
 */
function compileRestore(
  objects: readonly object[],
  keys: readonly (readonly (string | symbol)[])[],
  values: readonly (readonly unknown[])[],
): () => void {
  // Stryker disable next-line ArrayDeclaration: the indexes in the code are taken from its length as values are pushed
  const flat: unknown[] = [];
  const lines: string[] = [];
  const symbolic: { o: object; k: symbol; v: unknown }[] = [];
  objects.forEach((_, i) => {
    lines.push(`o = O[${i}];`);
    keys[i]!.forEach((k, j) => {
      const v = values[i]![j];
      // Stryker disable next-line ConditionalExpression: the loop path restores a string key as well (only slower)
      if (typeof k === 'symbol') {
        symbolic.push({ o: objects[i]!, k, v });
        return;
      }
      const target = IDENTIFIER.test(k) ? `o.${k}` : `o[${JSON.stringify(k)}]`;
      lines.push(`if (${target} !== V[${flat.length}]) ${target} = V[${flat.length}];`);
      flat.push(v);
    });
  });
  // Stryker disable next-line StringLiteral: every statement ends with a semicolon
  const body = `let o;\n${lines.join('\n')}`;
  const write = new Function('O', 'V', body) as (o: readonly object[], v: readonly unknown[]) => void;
  return () => {
    write(objects, flat);
    for (const x of symbolic) (x.o as Record<symbol, unknown>)[x.k] = x.v;
  };
}

// In order: iteration order is part of the state (a key deleted and added again moves last).
// Stryker disable all: sameEntries and sameValues only let restore() skip a refill (above)
function sameEntries(m: Map<unknown, unknown>, e: readonly unknown[]): boolean {
  let j = 0;
  for (const k of m.keys()) {
    if (k !== e[j] || m.get(k) !== e[j + 1]) return false;
    j += 2;
  }
  return true;
}

function sameValues(s: Set<unknown>, v: readonly unknown[]): boolean {
  let j = 0;
  for (const x of s) if (x !== v[j++]) return false;
  return true;
}
// Stryker restore all

/** Records everything reachable from `roots` (see the file comment). */
export function takeSnapshot(roots: readonly unknown[]): WorldSnapshot {
  return new WorldSnapshot(roots);
}

/**
 * A DataView over an arena held in several chunks (one typed array holds at most 4 GiB in
 * Node 20): each access goes to the chunk holding its address. Every chunk but the last has the
 * first one's size. Kernel code and sampling
 * formats read and write `mem.view` by arena address whatever the arena's size. No access
 * crosses a chunk boundary: every object, page block and vmalloc'ed range lies in one chunk
 * (the page allocator sees to it), and an access stays within what it touches.
 */

/** Bytes per arena chunk by default, and at most: the largest typed array in Node 20. */
export const ARENA_CHUNK_BYTES = 2 ** 32;

export class ArenaView implements DataView<ArrayBuffer> {
  readonly [Symbol.toStringTag] = 'DataView';
  /** The first chunk's buffer (a DataView has one; this view spans several). */
  readonly buffer: ArrayBuffer;
  readonly byteOffset = 0;
  readonly byteLength: number;
  private readonly views: readonly DataView[];
  private readonly low: DataView;
  private readonly chunkSize: number;

  constructor(chunks: readonly Uint8Array[]) {
    this.views = chunks.map((c) => new DataView(c.buffer as ArrayBuffer, c.byteOffset, c.byteLength));
    this.low = this.views[0]!;
    this.chunkSize = this.low.byteLength;
    this.buffer = this.low.buffer as ArrayBuffer;
    let bytes = 0;
    for (const c of chunks) bytes += c.byteLength;
    this.byteLength = bytes;
  }

  /** The chunk view for `addr` (then index it with `at(addr)`). */
  private v(addr: number): DataView {
    // Stryker disable next-line ConditionalExpression: the first test is a fast path; chunk 0 is views[0], `low`
    return addr < this.chunkSize ? this.low : (this.views[Math.floor(addr / this.chunkSize)] ?? this.low);
  }

  private at(addr: number): number {
    // An address past the arena keeps its value: the first chunk's view throws its RangeError.
    return addr < this.chunkSize || addr >= this.byteLength ? addr : addr % this.chunkSize;
  }

  getInt8(a: number): number {
    return this.v(a).getInt8(this.at(a));
  }
  getUint8(a: number): number {
    return this.v(a).getUint8(this.at(a));
  }
  getInt16(a: number, le?: boolean): number {
    return this.v(a).getInt16(this.at(a), le);
  }
  getUint16(a: number, le?: boolean): number {
    return this.v(a).getUint16(this.at(a), le);
  }
  getInt32(a: number, le?: boolean): number {
    return this.v(a).getInt32(this.at(a), le);
  }
  getUint32(a: number, le?: boolean): number {
    return this.v(a).getUint32(this.at(a), le);
  }
  getFloat32(a: number, le?: boolean): number {
    return this.v(a).getFloat32(this.at(a), le);
  }
  getFloat64(a: number, le?: boolean): number {
    return this.v(a).getFloat64(this.at(a), le);
  }
  getBigInt64(a: number, le?: boolean): bigint {
    return this.v(a).getBigInt64(this.at(a), le);
  }
  getBigUint64(a: number, le?: boolean): bigint {
    return this.v(a).getBigUint64(this.at(a), le);
  }
  setInt8(a: number, value: number): void {
    this.v(a).setInt8(this.at(a), value);
  }
  setUint8(a: number, value: number): void {
    this.v(a).setUint8(this.at(a), value);
  }
  setInt16(a: number, value: number, le?: boolean): void {
    this.v(a).setInt16(this.at(a), value, le);
  }
  setUint16(a: number, value: number, le?: boolean): void {
    this.v(a).setUint16(this.at(a), value, le);
  }
  setInt32(a: number, value: number, le?: boolean): void {
    this.v(a).setInt32(this.at(a), value, le);
  }
  setUint32(a: number, value: number, le?: boolean): void {
    this.v(a).setUint32(this.at(a), value, le);
  }
  setFloat32(a: number, value: number, le?: boolean): void {
    this.v(a).setFloat32(this.at(a), value, le);
  }
  setFloat64(a: number, value: number, le?: boolean): void {
    this.v(a).setFloat64(this.at(a), value, le);
  }
  setBigInt64(a: number, value: bigint, le?: boolean): void {
    this.v(a).setBigInt64(this.at(a), value, le);
  }
  setBigUint64(a: number, value: bigint, le?: boolean): void {
    this.v(a).setBigUint64(this.at(a), value, le);
  }
}

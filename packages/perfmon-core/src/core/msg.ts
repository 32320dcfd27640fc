import { MSG_OFF } from '../abi/layouts.js';

export const MSG_BYTES = 56;

/**
 * The context's notification queue (V17.9–V19): a ring of fixed 56-byte pfm_msg records,
 * 7 usable slots in v2.2 and 8 in v2.3 (quirk Q14); when full, new overflow messages are
 * dropped silently. Records are preallocated: queueing copies bytes, nothing is allocated.
 */
export class MsgQueue {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private head = 0;
  count = 0;
  dropped = 0;

  constructor(readonly capacity: number) {
    this.bytes = new Uint8Array(MSG_BYTES * Math.max(1, capacity));
    this.view = new DataView(this.bytes.buffer);
  }

  /** A zeroed record at the tail to fill in, or -1 if the queue is full (message dropped). */
  reserve(): number {
    if (this.count >= this.capacity) {
      this.dropped++;
      return -1;
    }
    const off = ((this.head + this.count) % this.capacity) * MSG_BYTES;
    this.bytes.fill(0, off, off + MSG_BYTES);
    this.count++;
    return off;
  }

  get recordView(): DataView {
    return this.view;
  }

  /** Copies the oldest record into `out` (MSG_BYTES long) and removes it; false if empty. */
  shift(out: Uint8Array): boolean {
    if (this.count === 0) return false;
    const off = this.head * MSG_BYTES;
    out.set(this.bytes.subarray(off, off + MSG_BYTES));
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return true;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

export const MSG_TYPE_OFF = MSG_OFF.msg_type;

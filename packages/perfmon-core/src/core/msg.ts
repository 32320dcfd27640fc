import { MSG_OFF } from '../abi/layouts.js';

export const MSG_BYTES = 56;

/**
 * The context's notification queue (V17.9–V19): a ring of fixed 56-byte pfm_msg records,
 * 7 usable slots in v2.2 and 8 in v2.3 (quirk Q14); when full, new overflow messages are
 * dropped silently. The records are made with the first message (most contexts never queue
 * one) and kept: queueing copies bytes, nothing more is allocated.
 */
export class MsgQueue {
  private bytes: Uint8Array | null = null;
  private view: DataView | null = null;
  private head = 0;
  count = 0;
  dropped = 0;

  constructor(readonly capacity: number) {}

  /** A zeroed record at the tail to fill in, or -1 if the queue is full (message dropped). */
  reserve(): number {
    if (this.count >= this.capacity) {
      this.dropped++;
      return -1;
    }
    const off = ((this.head + this.count) % this.capacity) * MSG_BYTES;
    this.records().fill(0, off, off + MSG_BYTES);
    this.count++;
    return off;
  }

  get recordView(): DataView {
    this.records();
    return this.view!;
  }

  /** Copies the oldest record into `out` (MSG_BYTES long) and removes it; false if empty. */
  shift(out: Uint8Array): boolean {
    if (this.count === 0) return false;
    const off = this.head * MSG_BYTES;
    out.set(this.records().subarray(off, off + MSG_BYTES));
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return true;
  }

  private records(): Uint8Array {
    if (this.bytes === null) {
      this.bytes = new Uint8Array(MSG_BYTES * Math.max(1, this.capacity));
      this.view = new DataView(this.bytes.buffer);
    }
    return this.bytes;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

export const MSG_TYPE_OFF = MSG_OFF.msg_type;

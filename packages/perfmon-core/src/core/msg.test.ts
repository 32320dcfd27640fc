import { describe, expect, it } from 'vitest';
import { MSG_BYTES, MsgQueue } from './msg.js';

/** Queues a record whose first word is `tag` and whose every other byte is 0xee. */
function queue(q: MsgQueue, tag: number): number {
  const off = q.reserve();
  if (off >= 0) {
    for (let i = 4; i < MSG_BYTES; i++) q.recordView.setUint8(off + i, 0xee);
    q.recordView.setUint32(off, tag, true);
  }
  return off;
}

function take(q: MsgQueue): { ok: boolean; tag: number; bytes: Uint8Array } {
  const out = new Uint8Array(MSG_BYTES).fill(0x55);
  const ok = q.shift(out);
  return { ok, tag: new DataView(out.buffer).getUint32(0, true), bytes: out };
}

describe('the context message queue', () => {
  it('hands messages back oldest first, 56 bytes each', () => {
    const q = new MsgQueue(8);
    queue(q, 1);
    queue(q, 2);
    expect(q.count).toBe(2);
    const a = take(q);
    expect(a.ok).toBe(true);
    expect(a.tag).toBe(1);
    expect([...a.bytes.subarray(4)]).toEqual(new Array(MSG_BYTES - 4).fill(0xee));
    expect(take(q)).toMatchObject({ ok: true, tag: 2 });
    expect(q.count).toBe(0);
  });

  it('an empty queue gives nothing and leaves the buffer alone', () => {
    const q = new MsgQueue(2);
    const none = take(q);
    expect(none.ok).toBe(false);
    expect([...none.bytes]).toEqual(new Array(MSG_BYTES).fill(0x55));
    expect(q.count).toBe(0);
    queue(q, 7);
    expect(take(q)).toMatchObject({ ok: true, tag: 7 });
    expect(take(q).ok).toBe(false);
    expect(q.count).toBe(0);
  });

  it('when full, new messages are dropped silently and counted (Q14); the queued ones stay', () => {
    const q = new MsgQueue(2);
    expect(queue(q, 1)).toBe(0);
    expect(queue(q, 2)).toBe(MSG_BYTES);
    expect(q.reserve()).toBe(-1);
    expect(q.reserve()).toBe(-1);
    expect(q.dropped).toBe(2);
    expect(q.count).toBe(2);
    expect(take(q).tag).toBe(1);
    expect(take(q).tag).toBe(2);
  });

  it('is a ring: a reused slot is handed out zeroed', () => {
    const q = new MsgQueue(2);
    queue(q, 1);
    queue(q, 2);
    expect(take(q).tag).toBe(1);
    const off = q.reserve(); // wraps to the first slot, which held message 1
    expect(off).toBe(0);
    const rec = new Uint8Array(q.recordView.buffer, off, MSG_BYTES);
    expect([...rec]).toEqual(new Array(MSG_BYTES).fill(0));
    q.recordView.setUint32(off, 3, true);
    expect(take(q).tag).toBe(2);
    expect(take(q)).toMatchObject({ ok: true, tag: 3 });
    // zeroing one record leaves its neighbour alone
    queue(q, 4);
    queue(q, 5);
    take(q);
    q.reserve();
    const next = take(q);
    expect(next.tag).toBe(5);
    expect(next.bytes[MSG_BYTES - 1]).toBe(0xee);
  });

  it('zeroing a reused slot touches that slot only (8 slots, as in v2.3)', () => {
    const q = new MsgQueue(8);
    for (let tag = 1; tag <= 8; tag++) queue(q, tag);
    expect(take(q).tag).toBe(1);
    const first = q.reserve(); // slot 0 again
    expect(first).toBe(0);
    expect([...new Uint8Array(q.recordView.buffer, first, MSG_BYTES)]).toEqual(new Array(MSG_BYTES).fill(0));
    q.recordView.setUint32(first, 9, true);
    for (let tag = 2; tag <= 9; tag++) {
      const m = take(q);
      expect(m.tag).toBe(tag);
      expect(m.bytes[MSG_BYTES - 1]).toBe(tag === 9 ? 0 : 0xee);
    }
    const second = q.reserve(); // slot 1, which held message 2
    expect(second).toBe(MSG_BYTES);
    expect([...new Uint8Array(q.recordView.buffer, second, MSG_BYTES)]).toEqual(new Array(MSG_BYTES).fill(0));
  });

  it('clear empties the queue; it fills again from the start', () => {
    const q = new MsgQueue(3);
    queue(q, 1);
    queue(q, 2);
    take(q);
    q.clear();
    expect(q.count).toBe(0);
    expect(take(q).ok).toBe(false);
    expect(queue(q, 9)).toBe(0);
    expect(take(q).tag).toBe(9);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { PFM_REG_RETFL_NOSET, PFM_REGFL_OVFL_NOTIFY } from '../abi/constants.js';
import { createSets, testWorld } from '../test-util.js';
import { type ElementOp, elementSet, refuse, setBitAt, setRetflags, walkElements } from './walk.js';

describe('the element walk of a vector call', () => {
  it('visits element i at buf + i * stride with the kernel memory view, and stops at the first that fails', () => {
    const w = testWorld();
    w.ctx();
    const ctx = w.s.contexts[0]!;
    const seen: number[] = [];
    const op: ElementOp = (sys, t, c, view, off) => {
      expect([sys, t, c, view]).toEqual([w.s, w.t, ctx, w.s.k.mem.view]);
      seen.push(off);
      return off === 1096 ? -22 : 0;
    };
    expect(walkElements(w.s, w.t, ctx, 1000, 5, 48, op)).toBe(-22);
    expect(seen).toEqual([1000, 1048, 1096]);
    seen.length = 0;
    expect(walkElements(w.s, w.t, ctx, 1000, 2, 48, op)).toBe(0);
    expect(seen).toEqual([1000, 1048]);
    seen.length = 0;
    expect(walkElements(w.s, w.t, ctx, 1000, 0, 48, op)).toBe(0);
    expect(seen).toEqual([]);
  });

  it('looks a set up again only when reg_set changes, a missing set every time, and afresh at each walk', () => {
    const w = testWorld();
    const fd = w.ctx();
    createSets(w, fd, [{ set_id: 1 }]);
    const ctx = w.s.contexts[0]!;
    const find = vi.spyOn(ctx.sets, 'find');
    const ids = [0, 0, 1, 1, 5, 5, 0];
    const found: (number | undefined)[] = [];
    const op: ElementOp = (sys, _t, c, _view, off) => {
      found.push(elementSet(sys, c, ids[off]!)?.id);
      return 0;
    };
    walkElements(w.s, w.t, ctx, 0, ids.length, 1, op);
    expect(found).toEqual([0, 0, 1, 1, undefined, undefined, 0]);
    expect(find.mock.calls.map(([id]) => id)).toEqual([0, 1, 5, 5, 0]);
    find.mockClear();
    // the last walk ended on set 0; a new walk looks it up again (it may have been deleted since)
    walkElements(w.s, w.t, ctx, 0, 1, 1, op);
    expect(find.mock.calls).toEqual([[0]]);
  });
});

describe('what an element gives back', () => {
  it('sets one bit of a little-endian bitmap of u32 words', () => {
    const view = new DataView(new ArrayBuffer(16));
    setBitAt(view, 4, 0);
    setBitAt(view, 4, 31);
    setBitAt(view, 4, 33);
    setBitAt(view, 4, 33);
    expect([view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true)]).toEqual([
      0, 0x80000001, 2,
    ]);
  });

  it("writes return flags into reg_flags (offset 4) only under Q1's 'intent'; refuse returns -errno", () => {
    for (const retflags of ['intent', 'historical'] as const) {
      const w = testWorld({ retflags });
      const view = new DataView(new ArrayBuffer(16));
      view.setUint32(4, 0xffffffff, true);
      setRetflags(w.s, view, 0, PFM_REGFL_OVFL_NOTIFY, 0);
      const cleared = view.getUint32(4, true);
      expect(refuse(w.s, view, 0, PFM_REGFL_OVFL_NOTIFY | 0xc0000000, PFM_REG_RETFL_NOSET, 22)).toBe(-22);
      const refused = view.getUint32(4, true);
      if (retflags === 'intent') {
        // the RETFL bits are replaced, the caller's flags kept
        expect(cleared).toBe(PFM_REGFL_OVFL_NOTIFY);
        expect(refused).toBe((PFM_REGFL_OVFL_NOTIFY | PFM_REG_RETFL_NOSET) >>> 0);
      } else {
        expect([cleared, refused]).toEqual([0xffffffff, 0xffffffff]);
      }
    }
  });
});

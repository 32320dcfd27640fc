import { describe, expect, it } from 'vitest';
import { ARG_BLOCKED, ArgCall } from './spec.js';

describe('the strategy specification', () => {
  it('ARG_BLOCKED can be neither a buffer address (> 0) nor an errno (-1 to -4095)', () => {
    expect(ARG_BLOCKED).toBeLessThan(-4095);
  });

  it('a fresh ArgCall, as a driver gets it before its first call, is an empty pfarg_pmd request holding nothing', () => {
    const call = new ArgCall();
    expect({
      kind: call.kind,
      count: call.count,
      bytes: call.bytes,
      buf: call.buf,
      stackBytes: call.stackBytes,
      holdsContextLock: call.holdsContextLock,
    }).toEqual({ kind: 'pmd', count: 0, bytes: 0, buf: 0, stackBytes: 0, holdsContextLock: false });
  });
});

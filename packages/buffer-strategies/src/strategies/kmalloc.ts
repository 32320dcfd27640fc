import type { ArgBufferStrategy } from '../spec.js';
import { kfreeBuffer, kmallocBuffer } from './common.js';

/**
 * `kmalloc`: the 2006 code (V16): kmalloc a buffer of exactly the vector's size on every call,
 * kfree it after the copy back. Bounded per call by arg_size_max (E2BIG above it).
 */
export function createKmallocStrategy(): ArgBufferStrategy {
  return {
    specificationVersion: 'v1',
    name: 'kmalloc',
    description: 'kmalloc per call, kfree after (the 2006 code)',
    pinnedFormula: '0 between calls; at most arg_size_max per call in flight',
    stackFootprint: '0 B',
    frameBytes: () => 0,
    acquire: kmallocBuffer,
    release: kfreeBuffer,
  };
}

// fast-check arbitraries derived from the layout tables (test helper, not exported by the package).
import fc from 'fast-check';
import type { FieldLayout, StructLayout } from './layouts.js';

const U64_MAX = 2n ** 64n - 1n;

function scalarArb(f: FieldLayout): fc.Arbitrary<number | bigint> {
  switch (f.type) {
    case 'u8':
      return fc.integer({ min: 0, max: 0xff });
    case 'u16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'u32':
      return f.repr === 'bigint'
        ? fc.bigInt({ min: 0n, max: 0xffffffffn })
        : fc.integer({ min: 0, max: 0xffffffff });
    case 's32':
      return fc.integer({ min: -0x80000000, max: 0x7fffffff });
    case 'u64':
      return fc.bigInt({ min: 0n, max: U64_MAX });
  }
}

export function fieldArb(f: FieldLayout): fc.Arbitrary<unknown> {
  if (f.count === 1) return scalarArb(f);
  if (f.repr === 'bytes') return fc.uint8Array({ minLength: f.count, maxLength: f.count });
  return fc.array(scalarArb(f), { minLength: f.count, maxLength: f.count });
}

/** A random value object with every non-reserved field of the layout. */
export function structArb(layout: StructLayout): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of layout.fields) if (!f.reserved) model[f.name] = fieldArb(f);
  return fc.record(model);
}

/** Random bytes for `count` structs, plus a leading pad so offsets are not always 0. */
export function bytesArb(size: number): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ minLength: size, maxLength: size });
}

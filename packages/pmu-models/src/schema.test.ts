import { beforeEach, describe, expect, it } from 'vitest';
import { validFixture } from './fixtures.js';
import { bitsAbove, lowBits, normaliseModel, type PmuModel, toModelFile } from './model.js';
import { formatHex, PmuModelFileSchema, parseHex, REGISTER_FLAG_BITS } from './schema.js';
import { validateModel } from './validate.js';

describe('hex values', () => {
  it('parse to bigint and print canonically', () => {
    expect(parseHex('0xFFFFFFFFFFFFFCCC')).toBe(0xfffffffffffffcccn);
    expect(formatHex(0xfffffffffffffcccn)).toBe('0xfffffffffffffccc');
    expect(formatHex(0n)).toBe('0x0');
  });

  it('accept leading zeros and upper case, and canonicalise on a round trip', () => {
    const file = validFixture();
    file.pmcs[0]!.reservedMask = '0xFFFFFFFF00300000';
    file.pmds[1]!.defaultValue = '0x0000';
    const result = validateModel(file);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.model.pmcs[0]?.reservedMask).toBe(0xffffffff00300000n);
    const out = toModelFile(result.model);
    expect(out.pmcs[0]?.reservedMask).toBe('0xffffffff00300000');
    expect(out.pmds[1]?.defaultValue).toBe('0x0');
  });
});

describe('normalised model', () => {
  let model: PmuModel;
  beforeEach(() => {
    model = normaliseModel(PmuModelFileSchema.parse(validFixture()));
  });

  it('derives perfmon2 values', () => {
    expect(model.ovflMask).toBe(0x7fffffffn);
    expect(model.pmcs[0]?.typeBits).toBe(REGISTER_FLAG_BITS.I | REGISTER_FLAG_BITS.NO64);
    expect(model.counterPmds).toEqual([0, 1, 16]);
    expect(model.maxPmc).toBe(17);
    expect(model.maxPmd).toBe(21);
    expect(model.pmds[3]?.isCounter).toBe(false);
  });

  it('fills optional lists', () => {
    expect(model.events[1]).toMatchObject({
      unitMasks: [],
      flags: [],
      modelData: {},
      umaskCombinable: false,
    });
    expect(model.pmcs[2]?.noEmul64Mask).toBe(0n);
  });

  it('writes back a file that gives the same model', () => {
    const file = toModelFile(model);
    expect(PmuModelFileSchema.parse(file)).toEqual(file);
    expect(toModelFile(normaliseModel(PmuModelFileSchema.parse(file)))).toEqual(file);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(model.pmcs)).toBe(true);
    expect(() => {
      (model.events as unknown[]).push({});
    }).toThrow(TypeError);
  });
});

describe('bit helpers', () => {
  it('compute masks for widths up to 64', () => {
    expect(bitsAbove(32)).toBe(0xffffffff00000000n);
    expect(bitsAbove(64)).toBe(0n);
    expect(lowBits(31)).toBe(0x7fffffffn);
    expect(lowBits(64)).toBe(0xffffffffffffffffn);
  });
});

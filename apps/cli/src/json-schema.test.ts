import { describe, expect, it } from 'vitest';
import { type Schema, validate } from './json-schema.js';

describe('the JSON Schema subset', () => {
  it('types: integer is a number, null and arrays are their own type, a list of types is any of them', () => {
    expect(validate({ type: 'number' }, 3)).toEqual([]);
    expect(validate({ type: 'number' }, 3.5)).toEqual([]);
    expect(validate({ type: 'integer' }, 3.5)).toEqual(['$: expected integer, got number']);
    expect(validate({ type: 'object' }, null)).toEqual(['$: expected object, got null']);
    expect(validate({ type: 'object' }, [])).toEqual(['$: expected object, got array']);
    expect(validate({ type: 'string' }, 'x')).toEqual([]);
    expect(validate({ type: ['string', 'null'] }, null)).toEqual([]);
    expect(validate({ type: ['string', 'null'] }, 1)).toEqual(['$: expected string or null, got integer']);
    // a wrong type stops there: no further errors of the same value
    expect(validate({ type: 'string', minimum: 5 }, 1)).toEqual(['$: expected string, got integer']);
  });

  it('const, enum, minimum, maximum and pattern', () => {
    expect(validate({ const: { a: [1] } }, { a: [1] })).toEqual([]);
    expect(validate({ const: 'cell' }, 'header')).toEqual(['$: expected "cell", got "header"']);
    expect(validate({ enum: ['a', 2] }, 2)).toEqual([]);
    expect(validate({ enum: ['a', 2] }, 'b')).toEqual(['$: "b" is not one of ["a",2]']);
    expect(validate({ minimum: 0, maximum: 10 }, 0)).toEqual([]);
    expect(validate({ minimum: 0, maximum: 10 }, 10)).toEqual([]);
    expect(validate({ minimum: 0, maximum: 10 }, -1)).toEqual(['$: -1 < minimum 0']);
    expect(validate({ minimum: 0, maximum: 10 }, 11)).toEqual(['$: 11 > maximum 10']);
    expect(validate({ minimum: 0 }, 'x')).toEqual([]);
    expect(validate({ pattern: '^v\\d$' }, 'v2')).toEqual([]);
    expect(validate({ pattern: '^v\\d$' }, 'v22')).toEqual(['$: "v22" does not match ^v\\d$']);
    expect(validate({ pattern: '^v' }, 3)).toEqual([]);
  });

  it('arrays: minItems and every item, with its index in the path', () => {
    const s: Schema = { type: 'array', minItems: 2, items: { type: 'integer' } };
    expect(validate(s, [1, 2])).toEqual([]);
    expect(validate(s, [1])).toEqual(['$: 1 items < minItems 2']);
    expect(validate(s, [1, 'a', 2.5])).toEqual([
      '$[1]: expected integer, got string',
      '$[2]: expected integer, got number',
    ]);
  });

  it('objects: required, properties, additionalProperties (false or a schema), minProperties', () => {
    const s: Schema = {
      type: 'object',
      required: ['a', 'b'],
      properties: { a: { type: 'string' } },
      additionalProperties: { type: 'number' },
      minProperties: 2,
    };
    expect(validate(s, { a: 'x', b: 1 })).toEqual([]);
    expect(validate(s, { a: 1 })).toEqual([
      '$: missing required "b"',
      '$.a: expected string, got integer',
      '$: fewer than 2 properties',
    ]);
    expect(validate(s, { a: 'x', b: 'y' })).toEqual(['$.b: expected number, got string']);
    const closed: Schema = { properties: { a: {} }, additionalProperties: false };
    expect(validate(closed, { a: 1 })).toEqual([]);
    expect(validate(closed, { a: 1, z: 2 })).toEqual(['$: unexpected property "z"']);
    expect(validate({ properties: { a: {} } }, { z: 2 })).toEqual([]);
  });

  it('oneOf needs exactly one match, anyOf at least one', () => {
    const one: Schema = { oneOf: [{ type: 'integer' }, { type: 'number' }, { type: 'string' }] };
    expect(validate(one, 'x')).toEqual([]);
    expect(validate(one, 1)).toEqual(['$: matches 2 of the oneOf alternatives (expected exactly 1)']);
    expect(validate(one, null)).toEqual(['$: matches 0 of the oneOf alternatives (expected exactly 1)']);
    const any: Schema = { anyOf: [{ type: 'integer' }, { type: 'number' }] };
    expect(validate(any, 1)).toEqual([]);
    expect(validate(any, 'x')).toEqual(['$: matches none of anyOf']);
  });

  it('local $ref into $defs, resolved against the root; other refs are named', () => {
    const root: Schema = {
      type: 'object',
      properties: { n: { $ref: '#/$defs/count' } },
      $defs: { count: { type: 'integer', minimum: 1 } },
    };
    expect(validate(root, { n: 2 })).toEqual([]);
    expect(validate(root, { n: 0 })).toEqual(['$.n: 0 < minimum 1']);
    expect(validate({ $ref: 'https://x/y.json' }, 1)).toEqual(['$: unsupported $ref https://x/y.json']);
    expect(validate({ $ref: '#/$defs/none' }, 1, { $defs: {} })).toEqual(['$: unresolved $ref #/$defs/none']);
  });
});

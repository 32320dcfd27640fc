import { describe, expect, it } from 'vitest';
import { CHECKED_SCHEME, UMASK_EVENT, validFixture } from './fixtures.js';
import { SCHEMA_RULES, SEMANTIC_RULES, type ValidationError } from './rules.js';
import type { PmuModelFile } from './schema.js';
import { registerScheme } from './schemes/registry.js';
import { formatPath, formatValidationError, validateModel } from './validate.js';

interface BrokenCase {
  readonly title: string;
  readonly mutate: (f: PmuModelFile) => void;
  /** The error that must be reported. */
  readonly path: string;
  readonly rule: string;
  readonly message?: string;
  /** Other errors are expected too (a cascade the mutation cannot avoid). */
  readonly alsoOthers?: boolean;
}

const u = UMASK_EVENT;

const BROKEN: readonly BrokenCase[] = [
  // schema rules
  { title: 'missing id', mutate: (f) => Reflect.deleteProperty(f, 'id'), path: 'id', rule: 'required' },
  {
    title: 'missing event description',
    mutate: (f) => Reflect.deleteProperty(f.events[0]!, 'description'),
    path: 'events[0].description',
    rule: 'required',
  },
  {
    title: 'counterWidth as a string',
    mutate: (f) => Reflect.set(f, 'counterWidth', '31'),
    path: 'counterWidth',
    rule: 'type',
  },
  { title: 'pmcs not a list', mutate: (f) => Reflect.set(f, 'pmcs', {}), path: 'pmcs', rule: 'type' },
  {
    title: 'hex value without 0x',
    mutate: (f) => {
      f.pmcs[0]!.defaultValue = '100000';
    },
    path: 'pmcs[0].defaultValue',
    rule: 'format',
    message: 'expected a 64-bit hex string',
  },
  {
    title: 'hex value wider than 64 bits',
    mutate: (f) => {
      f.pmds[0]!.reservedMask = '0x1ffffffffffffffff';
    },
    path: 'pmds[0].reservedMask',
    rule: 'format',
  },
  {
    title: 'event name with a colon',
    mutate: (f) => {
      f.events[1]!.name = 'INST:RETIRED';
    },
    path: 'events[1].name',
    rule: 'format',
    alsoOthers: true,
  },
  {
    title: 'id not kebab case',
    mutate: (f) => {
      f.id = 'Intel_P6';
    },
    path: 'id',
    rule: 'format',
  },
  {
    title: 'counterWidth 65',
    mutate: (f) => Reflect.set(f, 'counterWidth', 65),
    path: 'counterWidth',
    rule: 'range',
  },
  {
    title: 'counterWidth 0',
    mutate: (f) => Reflect.set(f, 'counterWidth', 0),
    path: 'counterWidth',
    rule: 'range',
  },
  { title: 'no sources', mutate: (f) => Reflect.set(f, 'sources', []), path: 'sources', rule: 'range' },
  {
    title: 'unknown arch',
    mutate: (f) => Reflect.set(f, 'archs', ['i386', 'vax']),
    path: 'archs[1]',
    rule: 'enum',
  },
  {
    title: 'unknown register flag',
    mutate: (f) => Reflect.set(f.pmcs[0]!, 'type', ['I', 'ENABLE']),
    path: 'pmcs[0].type[1]',
    rule: 'enum',
  },
  {
    title: 'misspelt key',
    mutate: (f) => Object.assign(f.pmcs[0]!, { reservedmask: '0x0' }),
    path: 'pmcs[0].reservedmask',
    rule: 'unknown-key',
  },
  {
    title: 'controls on a PMD',
    mutate: (f) => Object.assign(f.pmds[0]!, { controls: [0] }),
    path: 'pmds[0].controls',
    rule: 'unknown-key',
  },
  // semantic rules
  {
    title: 'PMC index 320',
    mutate: (f) => {
      f.pmcs.push({ index: 320, name: 'HUGE', type: ['I'], defaultValue: '0x0', reservedMask: '0x0' });
    },
    path: 'pmcs[3].index',
    rule: 'register-limit',
    message: "PMC index 320 is beyond perfmon2's limit (0–319)",
  },
  {
    title: 'duplicate PMD index',
    mutate: (f) => {
      f.pmds.push({ index: 0, name: 'ALIAS', type: ['I', 'RO'], defaultValue: '0x0', reservedMask: '0x0' });
    },
    path: 'pmds[4].index',
    rule: 'unique-index',
    message: 'duplicate PMD index 0 (also pmds[0])',
  },
  {
    title: 'duplicate PMD name, other case',
    mutate: (f) => {
      f.pmds.push({
        index: 21,
        name: 'perfctr0',
        type: ['I', 'RO'],
        defaultValue: '0x0',
        reservedMask: '0x0',
      });
    },
    path: 'pmds[4].name',
    rule: 'unique-name',
  },
  {
    title: 'duplicate event name, other case',
    mutate: (f) => {
      f.events[13]!.name = 'cycles';
    },
    path: 'events[13].name',
    rule: 'unique-name',
    message: 'duplicate event name "cycles" (also events[0])',
  },
  {
    title: 'duplicate unit mask name',
    mutate: (f) => {
      f.events[u]!.unitMasks![1]!.name = 'i';
    },
    path: `events[${u}].unitMasks[1].name`,
    rule: 'unique-name',
  },
  {
    title: 'unit mask alias repeating another unit mask, other case',
    mutate: (f) => {
      f.events[u]!.unitMasks![1]!.aliases = ['OTHER', 'i'];
    },
    path: `events[${u}].unitMasks[1].aliases[1]`,
    rule: 'unique-name',
    message: `duplicate unit mask "i" (also events[${u}].unitMasks[0])`,
  },
  {
    title: 'counter listed twice',
    mutate: (f) => {
      f.events[3]!.counters = [0, 1, 0];
    },
    path: 'events[3].counters',
    rule: 'duplicate-entry',
    message: 'counter 0 listed twice',
  },
  {
    title: 'C64 on a PMC',
    mutate: (f) => {
      f.pmcs[0]!.type = ['I', 'NO64', 'C64'];
    },
    path: 'pmcs[0].type',
    rule: 'register-type',
    message: 'C64 is a PMD-only flag',
  },
  {
    title: 'RO on a PMC',
    mutate: (f) => {
      f.pmcs[2]!.type = ['I', 'RO'];
    },
    path: 'pmcs[2].type',
    rule: 'register-type',
    message: 'RO is a PMD-only flag',
  },
  {
    title: 'NO64 on a PMD',
    mutate: (f) => {
      f.pmds[3]!.type = ['I', 'RO', 'NO64'];
    },
    path: 'pmds[3].type',
    rule: 'register-type',
    message: 'NO64 is a PMC-only flag',
  },
  {
    title: 'register without I',
    mutate: (f) => {
      f.pmds[3]!.type = ['RO'];
    },
    path: 'pmds[3].type',
    rule: 'register-type',
    message: 'I (implemented) is required',
  },
  {
    title: 'noEmul64Mask without NO64',
    mutate: (f) => {
      f.pmcs[2]!.noEmul64Mask = '0x8';
    },
    path: 'pmcs[2].noEmul64Mask',
    rule: 'no-emul64',
  },
  {
    title: 'counter reserved mask unrelated to the width',
    mutate: (f) => {
      f.pmds[0]!.reservedMask = '0xfffffff000000000';
    },
    path: 'pmds[0].reservedMask',
    rule: 'reserved-width',
    message: 'expected 0xffffffff00000000 (width 32) or 0xffffffff80000000 (width 31)',
  },
  {
    title: 'counter reserved mask not matching its declared width',
    mutate: (f) => {
      f.pmds[2]!.reservedMask = '0xffff000000000000';
    },
    path: 'pmds[2].reservedMask',
    rule: 'reserved-width',
    message: 'expected 0xffffff0000000000 (width 40)',
  },
  {
    title: 'PMC width wider than its reserved mask allows',
    mutate: (f) => {
      f.pmcs[0]!.width = 24;
    },
    path: 'pmcs[0].reservedMask',
    rule: 'reserved-width',
    message: 'does not reserve the bits above width 24 (missing 0xff000000)',
  },
  {
    title: 'counterWidth above hwCounterWidth',
    mutate: (f) => {
      f.counterWidth = 33;
    },
    path: 'counterWidth',
    rule: 'counter-width',
    message: '33 exceeds hwCounterWidth 32',
  },
  {
    title: 'counter PMD narrower than counterWidth',
    mutate: (f) => {
      f.pmds[2]!.width = 24;
      f.pmds[2]!.reservedMask = '0xffffffffff000000';
    },
    path: 'pmds[2].width',
    rule: 'counter-width',
  },
  {
    title: 'no counter PMD',
    mutate: (f) => {
      for (const r of f.pmds) r.type = ['I', 'RO'];
    },
    path: 'pmds',
    rule: 'no-counters',
    alsoOthers: true,
  },
  {
    title: 'PMD default with reserved bits',
    mutate: (f) => {
      f.pmds[0]!.defaultValue = '0x100000000';
    },
    path: 'pmds[0].defaultValue',
    rule: 'default-reserved',
    message: 'sets reserved bits 0x100000000',
  },
  {
    title: 'PMC default above its width',
    mutate: (f) => {
      f.pmcs[0]!.width = 32;
      f.pmcs[0]!.defaultValue = '0x100100000';
    },
    path: 'pmcs[0].defaultValue',
    rule: 'default-reserved',
    message: 'sets reserved bits 0x100000000 (above width 32)',
  },
  {
    title: 'PMC controlling a missing PMD',
    mutate: (f) => {
      f.pmcs[0]!.controls = [0, 7];
    },
    path: 'pmcs[0].controls',
    rule: 'controls',
    message: 'PMD 7 does not exist',
  },
  {
    title: 'event code wider than eventBits + umaskBits',
    mutate: (f) => {
      f.events[1]!.code = '0x1c0c0';
    },
    path: 'events[1].code',
    rule: 'code-width',
    message: '0x1c0c0 is wider than encoding.eventBits + umaskBits (16)',
  },
  {
    title: 'event code wider than eventBits (non-x86 scheme)',
    mutate: (f) => {
      f.encoding = { scheme: 'mips64-ctrl', eventBits: 4, umaskBits: 0 };
      for (const [i, e] of f.events.entries()) e.code = `0x${i.toString(16)}`;
      f.events[5]!.code = '0x1f';
      Reflect.deleteProperty(f.events[u]!, 'unitMasks');
      Reflect.deleteProperty(f.events[u]!, 'umaskCombinable');
    },
    path: 'events[5].code',
    rule: 'code-width',
    message: '0x1f is wider than encoding.eventBits (4)',
  },
  {
    title: 'an option the scheme does not define (a misspelling)',
    mutate: (f) => {
      f.encoding.options = { enablePMC: 0 };
    },
    path: 'encoding.options.enablePMC',
    rule: 'encoding-option',
    message:
      'scheme x86-evtsel has no option "enablePMC" (it takes enablePmc, northbridgeFrom, extendedEventSelect)',
  },
  {
    title: 'an option on a scheme that takes none',
    mutate: (f) => {
      f.encoding = { scheme: 'ia64-pmc', eventBits: 16, umaskBits: 8, options: { enablePmc: 0 } };
    },
    path: 'encoding.options.enablePmc',
    rule: 'encoding-option',
    message: 'scheme ia64-pmc has no option "enablePmc" (it takes none)',
  },
  {
    title: 'a PMC option naming no PMC',
    mutate: (f) => {
      f.encoding.options = { enablePmc: 9 };
    },
    path: 'encoding.options.enablePmc',
    rule: 'encoding-option',
    message: '9 is not the index of a PMC of this model',
  },
  {
    title: 'a PMC option that is not a number',
    mutate: (f) => {
      f.encoding.options = { enablePmc: '0' };
    },
    path: 'encoding.options.enablePmc',
    rule: 'encoding-option',
    message: '"0" is not the index of a PMC of this model',
  },
  {
    title: 'a hex option given as a number',
    mutate: (f) => {
      f.encoding.options = { northbridgeFrom: 238 };
    },
    path: 'encoding.options.northbridgeFrom',
    rule: 'encoding-option',
    message: '238 is not a hex string such as "0xee"',
  },
  {
    title: 'a hex option that is not hex',
    mutate: (f) => {
      f.encoding.options = { northbridgeFrom: 'ee' };
    },
    path: 'encoding.options.northbridgeFrom',
    rule: 'encoding-option',
    message: '"ee" is not a hex string such as "0xee"',
  },
  {
    title: 'a boolean option given as a string',
    mutate: (f) => {
      f.encoding.options = { extendedEventSelect: 'yes' };
    },
    path: 'encoding.options.extendedEventSelect',
    rule: 'encoding-option',
    message: '"yes" is not true or false',
  },
  {
    title: 'a 12-bit x86 event field (the extended select is an option, not a width)',
    mutate: (f) => {
      f.encoding.eventBits = 12;
    },
    path: 'encoding.eventBits',
    rule: 'scheme-rule',
    message: '12: the PERFEVTSEL event select is 8 bits (7:0)',
    alsoOthers: true,
  },
  {
    title: 'an AMD extended event code on a model without extendedEventSelect',
    mutate: (f) => {
      f.encoding.umaskBits = 0;
      f.events[2]!.code = '0x4e1';
      for (const m of f.events[u]!.unitMasks!) m.value = '0x0';
      f.events[u]!.unitMasks![1]!.name = 'J';
    },
    path: 'events[2].code',
    rule: 'code-width',
    message: '0x4e1 is wider than encoding.eventBits + umaskBits (8)',
  },
  {
    title: 'an event code beyond the 12-bit extended select',
    mutate: (f) => {
      f.encoding.options = { extendedEventSelect: true };
      f.events[2]!.code = '0x14e1';
    },
    path: 'events[2].code',
    rule: 'code-width',
    message: '0x14e1 is wider than the 12-bit extended event select (encoding.options.extendedEventSelect)',
  },
  {
    title: "a model breaking its scheme's own rule",
    mutate: (f) => {
      f.encoding.scheme = CHECKED_SCHEME.name;
      f.events[3]!.name = 'RESERVED_A';
    },
    path: 'events[3].name',
    rule: 'scheme-rule',
    message: "RESERVED_A: RESERVED_ names are the scheme's own",
  },
  {
    title: 'unit mask wider than umaskBits',
    mutate: (f) => {
      f.events[u]!.unitMasks![0]!.value = '0x100';
    },
    path: `events[${u}].unitMasks[0].value`,
    rule: 'umask-width',
    message: '0x100 is wider than encoding.umaskBits (8)',
  },
  {
    title: 'event naming a counter that does not exist',
    mutate: (f) => {
      f.events[12]!.counters = [0, 5];
    },
    path: 'events[12].counters',
    rule: 'counter-exists',
    message: 'counter 5 does not exist',
  },
  {
    title: 'unit mask naming a counter that does not exist',
    mutate: (f) => {
      f.events[u]!.unitMasks![1]!.counters = [3];
    },
    path: `events[${u}].unitMasks[1].counters`,
    rule: 'counter-exists',
    message: 'counter 3 does not exist',
  },
  {
    title: 'event naming a PMD that is not a counter',
    mutate: (f) => {
      f.events[3]!.counters = [20];
    },
    path: 'events[3].counters',
    rule: 'counter-type',
    message: 'PMD 20 (STAMP) is not a counter (no C64)',
  },
  {
    title: 'fixed counter PMD missing',
    mutate: (f) => {
      f.events[0]!.fixed = { pmd: 17, pmc: 16 };
    },
    path: 'events[0].fixed.pmd',
    rule: 'fixed-exists',
    message: 'PMD 17 does not exist',
  },
  {
    title: 'fixed counter PMC missing',
    mutate: (f) => {
      f.events[0]!.fixed = { pmd: 16, pmc: 5 };
    },
    path: 'events[0].fixed.pmc',
    rule: 'fixed-exists',
    message: 'PMC 5 does not exist',
  },
  {
    title: 'fixed counter PMC not controlling the PMD',
    mutate: (f) => {
      f.pmcs[2]!.controls = [];
    },
    path: 'events[0].fixed',
    rule: 'fixed-control',
    message: 'PMC 16 (FIXED_CTRL) does not control PMD 16',
  },
  {
    title: 'event with no counter at all',
    mutate: (f) => {
      f.events[2]!.counters = [];
    },
    path: 'events[2].counters',
    rule: 'countable',
  },
  {
    title: 'unit mask leaving no counter',
    mutate: (f) => {
      f.events[u]!.unitMasks![0]!.counters = [];
    },
    path: `events[${u}].unitMasks[0].counters`,
    rule: 'countable',
  },
  {
    title: 'cycleEvent naming a missing event',
    mutate: (f) => {
      f.cycleEvent = 'CPU_CYCLES';
    },
    path: 'cycleEvent',
    rule: 'event-ref',
    message: 'no event named "CPU_CYCLES"',
  },
  {
    title: 'instRetiredEvent naming a missing unit mask',
    mutate: (f) => {
      f.instRetiredEvent = 'INST_RETIRED:ANY';
    },
    path: 'instRetiredEvent',
    rule: 'event-ref',
    message: 'event INST_RETIRED has no unit mask "ANY"',
  },
];

function errorsOf(mutate: (f: PmuModelFile) => void): readonly ValidationError[] {
  const file = validFixture();
  mutate(file);
  const result = validateModel(JSON.parse(JSON.stringify(file)));
  return result.ok ? [] : result.errors;
}

registerScheme(CHECKED_SCHEME);

describe('validateModel', () => {
  it('accepts the fixture', () => {
    const result = validateModel(validFixture());
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it.each(BROKEN)('rejects: $title → $path [$rule]', (c) => {
    const errors = errorsOf(c.mutate);
    const match = errors.find((e) => e.path === c.path && e.rule === c.rule);
    expect(match, `errors were:\n${errors.map(formatValidationError).join('\n')}`).toBeDefined();
    if (c.message !== undefined) expect(match?.message).toContain(c.message);
    if (c.alsoOthers !== true) expect(errors.map(formatValidationError)).toHaveLength(1);
  });

  it('has a broken model for every schema and semantic rule', () => {
    const covered = new Set(BROKEN.map((c) => c.rule));
    // `json` is exercised through loadModelFile (registry tests); `schema` is the fallback
    // for zod issue kinds this format cannot produce.
    const expected = [...Object.keys(SEMANTIC_RULES), ...Object.keys(SCHEMA_RULES)].filter(
      (r) => r !== 'json' && r !== 'schema',
    );
    expect(expected.filter((r) => !covered.has(r))).toEqual([]);
    expect(BROKEN.length).toBeGreaterThanOrEqual(12);
  });

  it('formats errors as path: message [rule]', () => {
    const [error] = errorsOf((f) => {
      f.events[12]!.counters = [0, 5];
    });
    expect(formatValidationError(error!)).toBe(
      'events[12].counters: counter 5 does not exist [counter-exists]',
    );
  });

  it('reports every semantic violation, not only the first', () => {
    const errors = errorsOf((f) => {
      f.events[12]!.counters = [0, 5];
      f.pmds[0]!.defaultValue = '0x100000000';
      f.cycleEvent = 'NOPE';
    });
    expect(errors.map((e) => e.rule).sort()).toEqual(['counter-exists', 'default-reserved', 'event-ref']);
  });

  it('rejects non-objects at the root', () => {
    for (const data of [null, 42, 'model', []]) {
      const result = validateModel(data);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]).toMatchObject({ path: '$', rule: 'type' });
    }
  });

  it('allows a PMC default to set reserved bits (v2.3 forces them to the default)', () => {
    // P6: bit 20 (INT) is both in dfl_val and rsvd_msk; Core FIXED_CTRL: 0x888 within 0x...ccc.
    expect(errorsOf(() => {})).toEqual([]);
  });

  it('accepts a counter reserved mask of zero or the bits above counterWidth', () => {
    expect(
      errorsOf((f) => {
        f.pmds[0]!.reservedMask = '0x0';
        f.pmds[1]!.reservedMask = '0xffffffff80000000';
      }),
    ).toEqual([]);
  });
});

describe('formatPath', () => {
  it('renders indexes, identifiers and odd keys', () => {
    expect(formatPath([])).toBe('$');
    expect(formatPath(['events', 12, 'counters'])).toBe('events[12].counters');
    expect(formatPath(['events', 0, 'modelData', 'odd key'])).toBe('events[0].modelData["odd key"]');
    expect(formatPath(['$schema'])).toBe('$schema');
    expect(formatPath(['modelData', '1abc', 'a-b', '_x$1'])).toBe('modelData["1abc"]["a-b"]._x$1');
    expect(formatPath([3, 'name'])).toBe('[3].name');
  });
});

describe('semantic rule messages', () => {
  const only = (mutate: (f: PmuModelFile) => void) => errorsOf(mutate).map(formatValidationError);

  it('name the duplicated flag, PMD, register name and unit-mask name', () => {
    expect(
      only((f) => {
        f.pmcs[2]!.type = ['I', 'WC', 'I'];
        f.pmcs[0]!.controls = [0, 0];
        f.events[2]!.flags = ['PEBS', 'PEBS'];
        f.events[u]!.unitMasks![0]!.flags = ['MESI', 'MESI'];
        f.events[u]!.unitMasks![1]!.counters = [1, 1];
        f.pmds.push({
          index: 21,
          name: 'perfctr1',
          type: ['I', 'RO'],
          defaultValue: '0x0',
          reservedMask: '0x0',
        });
      }),
    ).toEqual([
      'pmcs[0].controls: PMD 0 listed twice [duplicate-entry]',
      'pmcs[2].type: flag I appears twice [duplicate-entry]',
      'pmds[4].name: duplicate PMD name "perfctr1" (also pmds[1]) [unique-name]',
      'events[2].flags: flag PEBS appears twice [duplicate-entry]',
      `events[${u}].unitMasks[0].flags: flag MESI appears twice [duplicate-entry]`,
      `events[${u}].unitMasks[1].counters: counter 1 listed twice [duplicate-entry]`,
    ]);
  });

  it('name the PMC with a no_emul64 mask but no NO64 flag, and a narrow counter', () => {
    expect(
      only((f) => {
        f.pmcs[2]!.noEmul64Mask = '0x8';
        f.pmds[2]!.width = 30;
        f.pmds[2]!.reservedMask = '0xffffffffc0000000';
      }),
    ).toEqual([
      'pmcs[2].noEmul64Mask: 0x8 set on a PMC without the NO64 flag [no-emul64]',
      'pmds[2].width: counter width 30 is below counterWidth 31 [counter-width]',
    ]);
    // A counter exactly counterWidth wide is fine.
    expect(
      only((f) => {
        f.pmds[2]!.width = 31;
        f.pmds[2]!.reservedMask = '0xffffffff80000000';
      }),
    ).toEqual([]);
    expect(only((f) => void Reflect.set(f, 'counterWidth', 32))).toEqual([]);
  });

  it('offer a single expected mask when the perfmon2 and hardware widths agree', () => {
    expect(
      only((f) => {
        f.hwCounterWidth = 31;
        f.pmds[0]!.reservedMask = '0xffff000000000000';
      }),
    ).toEqual([
      'pmds[0].reservedMask: 0xffff000000000000 is neither 0 nor the bits above the counter width: expected 0xffffffff80000000 (width 31) [reserved-width]',
    ]);
  });

  it('check the default of a non-counter PMD against its width', () => {
    expect(
      only((f) => {
        f.pmds[3]!.width = 16;
        f.pmds[3]!.reservedMask = '0xffffffffffff0000';
        f.pmds[3]!.defaultValue = '0x10000';
      }),
    ).toEqual(['pmds[3].defaultValue: sets reserved bits 0x10000 [default-reserved]']);
    expect(
      only((f) => {
        f.pmds[3]!.width = 16;
        f.pmds[3]!.reservedMask = '0xffffffffffff0000';
        f.pmds[3]!.defaultValue = '0xffff';
      }),
    ).toEqual([]);
    expect(
      only((f) => {
        f.pmcs[2]!.width = 12;
        f.pmcs[2]!.reservedMask = '0xfffffffffffff000';
        f.pmcs[2]!.defaultValue = '0x1888';
      }),
    ).toEqual(['pmcs[2].defaultValue: sets reserved bits 0x1000 (above width 12) [default-reserved]']);
  });

  it('refuse a fixed counter that is not a counter, on an event or a unit mask', () => {
    expect(
      only((f) => {
        f.pmcs[2]!.controls = [16, 20];
        f.events[0]!.fixed = { pmd: 20, pmc: 16 };
        f.events[u]!.unitMasks![0]!.fixed = { pmd: 20, pmc: 16 };
      }),
    ).toEqual([
      'events[0].fixed.pmd: PMD 20 (STAMP) is not a counter (no C64) [counter-type]',
      `events[${u}].unitMasks[0].fixed.pmd: PMD 20 (STAMP) is not a counter (no C64) [counter-type]`,
    ]);
    expect(
      only((f) => {
        f.events[u]!.unitMasks![1]!.fixed = { pmd: 16, pmc: 0 };
      }),
    ).toEqual([
      `events[${u}].unitMasks[1].fixed: PMC 0 (PERFEVTSEL0) does not control PMD 16 [fixed-control]`,
    ]);
  });

  it('say which event or unit mask cannot be counted', () => {
    expect(
      only((f) => {
        f.events[2]!.counters = [];
        f.events[u]!.unitMasks![1]!.counters = [];
        f.events[u]!.unitMasks![0]!.counters = [];
        f.events[u]!.unitMasks![0]!.fixed = { pmd: 16, pmc: 16 };
      }),
    ).toEqual([
      'events[2].counters: the event has no counter and no fixed counter [countable]',
      `events[${u}].unitMasks[1].counters: unit mask M leaves no counter and no fixed counter [countable]`,
    ]);
    // An event with unit masks is judged per unit mask only.
    expect(
      only((f) => {
        f.events[u]!.counters = [];
        f.events[u]!.unitMasks![0]!.counters = [0];
        f.events[u]!.unitMasks![1]!.counters = [1];
      }),
    ).toEqual([]);
    expect(
      only((f) => {
        f.events[1]!.counters = [];
        f.events[1]!.fixed = { pmd: 16, pmc: 16 };
      }),
    ).toEqual([]);
  });

  it('resolve cycleEvent and instRetiredEvent case-insensitively, unit masks included', () => {
    expect(
      only((f) => {
        f.cycleEvent = 'l2_rqsts:m:I';
        f.instRetiredEvent = 'inst_retired';
      }),
    ).toEqual([]);
    expect(
      only((f) => {
        f.cycleEvent = 'L2_RQSTS:M:X:Y';
      }),
    ).toEqual([
      'cycleEvent: event L2_RQSTS has no unit mask "X" [event-ref]',
      'cycleEvent: event L2_RQSTS has no unit mask "Y" [event-ref]',
    ]);
  });

  it('accept register indexes up to 319', () => {
    expect(
      only((f) => {
        f.pmcs.push({ index: 319, name: 'LAST', type: ['I'], defaultValue: '0x0', reservedMask: '0x0' });
        f.pmds.push({
          index: 319,
          name: 'LAST',
          type: ['I', 'RO'],
          defaultValue: '0x0',
          reservedMask: '0x0',
        });
      }),
    ).toEqual([]);
    expect(
      only((f) => {
        f.pmds.push({
          index: 320,
          name: 'HUGE',
          type: ['I', 'RO'],
          defaultValue: '0x0',
          reservedMask: '0x0',
        });
      }),
    ).toEqual(["pmds[4].index: PMD index 320 is beyond perfmon2's limit (0–319) [register-limit]"]);
  });
});

describe('schema errors', () => {
  const only = (mutate: (f: PmuModelFile) => void) => errorsOf(mutate).map(formatValidationError);

  it('say which property is missing and of what type', () => {
    expect(only((f) => Reflect.deleteProperty(f, 'id'))).toEqual([
      'id: required string is missing [required]',
    ]);
    expect(only((f) => Reflect.deleteProperty(f.encoding, 'eventBits'))).toEqual([
      'encoding.eventBits: required number is missing [required]',
    ]);
    // Present but null is a type error, not a missing property.
    expect(only((f) => Reflect.set(f, 'id', null))).toEqual([
      'id: Invalid input: expected string, received null [type]',
    ]);
  });

  it('name every unknown key, odd keys quoted', () => {
    expect(
      only((f) => {
        Object.assign(f.pmcs[0]!, { 'reserved mask': '0x0', rsvd: 1 });
      }),
    ).toEqual([
      'pmcs[0]["reserved mask"]: unknown property "reserved mask" [unknown-key]',
      'pmcs[0].rsvd: unknown property "rsvd" [unknown-key]',
    ]);
  });

  it('reports formats, ranges and enums with zod messages', () => {
    expect(only((f) => Reflect.set(f.pmds[0]!, 'defaultValue', '12'))).toEqual([
      'pmds[0].defaultValue: expected a 64-bit hex string such as "0x1f" (dfl_val: value of an unwritten register) [format]',
    ]);
    expect(only((f) => Reflect.set(f.encoding, 'umaskBits', 65))).toEqual([
      'encoding.umaskBits: Too big: expected number to be <=64 [range]',
    ]);
    expect(only((f) => Reflect.set(f.encoding, 'scheme', 'arm'))).toHaveLength(1);
    expect(only((f) => Reflect.set(f.encoding, 'scheme', 'arm'))[0]).toMatch(
      /^encoding\.scheme: .* \[enum\]$/,
    );
  });
});

describe('all of a file’s errors at once: semantic rules on the parts that parsed', () => {
  const all = (mutate: (f: PmuModelFile) => void) => errorsOf(mutate).map(formatValidationError);

  it('reports a schema error and a semantic error elsewhere together', () => {
    expect(
      all((f) => {
        Reflect.deleteProperty(f, 'description');
        f.events[3]!.counters = [0, 7];
      }),
    ).toEqual([
      'description: required string is missing [required]',
      'events[3].counters: counter 7 does not exist [counter-exists]',
    ]);
  });

  it('keeps the file’s indexes when invalid elements are left out', () => {
    expect(
      all((f) => {
        Reflect.set(f.events[1]!, 'code', 'c0');
        Reflect.set(f.pmcs[0]!, 'reservedMask', 12);
        f.events[5]!.counters = [0, 7];
        f.events[9]!.name = 'filler_2';
      }),
    ).toEqual([
      'pmcs[0].reservedMask: Invalid input: expected string, received number [type]',
      'events[1].code: expected a 64-bit hex string such as "0x1f" (event code; on x86-evtsel bits 8–15 may carry a built-in unit mask) [format]',
      'events[5].counters: counter 7 does not exist [counter-exists]',
      'events[9].name: duplicate event name "filler_2" (also events[4]) [unique-name]',
    ]);
  });

  it('unknown keys are schema errors; the element is still checked', () => {
    expect(
      all((f) => {
        Object.assign(f.events[3]!, { counter: [0] });
        f.events[3]!.counters = [0, 0];
      }),
    ).toEqual([
      'events[3].counter: unknown property "counter" [unknown-key]',
      'events[3].counters: counter 0 listed twice [duplicate-entry]',
    ]);
  });

  it('does not run the rules that read a part that did not parse', () => {
    // PMD 1 left out: events counting on it are not reported as naming a missing counter
    expect(
      all((f) => {
        Reflect.set(f.pmds[1]!, 'defaultValue', 0);
        f.events[4]!.counters = [0, 0];
      }),
    ).toEqual([
      'pmds[1].defaultValue: Invalid input: expected string, received number [type]',
      'events[4].counters: counter 0 listed twice [duplicate-entry]',
    ]);
    // the widths unknown: no width rules; the encoding unknown: no code widths, no scheme name
    expect(
      all((f) => {
        Reflect.set(f, 'hwCounterWidth', 'wide');
        f.pmds[0]!.reservedMask = '0xff00000000000000';
        Reflect.set(f, 'encoding', { scheme: 'nope', eventBits: 'x', umaskBits: 8 });
        f.events[2]!.code = '0xfffff';
        f.events[3]!.counters = [];
      }),
    ).toEqual([
      'hwCounterWidth: Invalid input: expected number, received string [type]',
      'encoding.eventBits: Invalid input: expected number, received string [type]',
      'events[3].counters: the event has no counter and no fixed counter [countable]',
    ]);
    // an invalid event: cycleEvent may name it, so no event-ref
    expect(
      all((f) => {
        Reflect.deleteProperty(f.events[0]!, 'description');
      }),
    ).toEqual(['events[0].description: required string is missing [required]']);
    // an optional part that does not parse is left out; its required neighbours are placeholders
    expect(
      all((f) => {
        Reflect.set(f, 'cycleEvent', 7);
        Reflect.set(f, 'id', 'Not An Id');
        Reflect.set(f, 'sources', [{ what: '' }]);
        f.events[6]!.counters = [9];
      }),
    ).toEqual([
      'id: expected a lower-case kebab id such as "intel-p6" [format]',
      'cycleEvent: Invalid input: expected string, received number [type]',
      'sources[0].what: Too small: expected string to have >=1 characters [range]',
      'sources[0].ref: required string is missing [required]',
      'sources[0].verified: required boolean is missing [required]',
      'events[6].counters: counter 9 does not exist [counter-exists]',
    ]);
  });

  it('reports no semantic errors when no register parses, or the file is not an object', () => {
    expect(
      all((f) => {
        Reflect.set(f, 'pmds', 'none');
        f.events[3]!.counters = [0, 0];
      }),
    ).toEqual(['pmds: Invalid input: expected array, received string [type]']);
    expect(
      all((f) => {
        for (const p of f.pmcs) Reflect.set(p, 'index', -1);
        f.events[3]!.counters = [0, 0];
      }),
    ).toHaveLength(3);
    expect(validateModel([])).toMatchObject({ ok: false, errors: [{ path: '$', rule: 'type' }] });
  });
});

describe('formatPath with symbols', () => {
  it('quotes a symbol key', () => {
    expect(formatPath(['events', Symbol('x')])).toBe('events["Symbol(x)"]');
  });
});

describe('more semantic rule messages', () => {
  const only = (mutate: (f: PmuModelFile) => void) => errorsOf(mutate).map(formatValidationError);

  it('bound the code by eventBits alone outside x86-evtsel, where there is no unit-mask byte', () => {
    expect(
      only((f) => {
        f.encoding = { scheme: 'ia64-pmc', eventBits: 4, umaskBits: 4 };
        for (const [i, e] of f.events.entries()) e.code = `0x${i.toString(16)}`;
        f.events[5]!.code = '0x1f';
        for (const m of f.events[u]!.unitMasks!) m.value = '0x1';
        f.events[u]!.unitMasks![1]!.name = 'J';
      }),
    ).toEqual(['events[5].code: 0x1f is wider than encoding.eventBits (4) [code-width]']);
  });

  it('name the unit mask that repeats another', () => {
    expect(
      only((f) => {
        f.events[u]!.unitMasks![1]!.name = 'i';
      }),
    ).toEqual([
      `events[${u}].unitMasks[1].name: duplicate unit mask "i" (also events[${u}].unitMasks[0]) [unique-name]`,
    ]);
  });

  it('say that no PMD is a counter', () => {
    const errors = errorsOf((f) => {
      for (const r of f.pmds) r.type = ['I', 'RO'];
    });
    expect(errors).toContainEqual({
      path: 'pmds',
      rule: 'no-counters',
      message: 'no PMD is a counter (type C64)',
    });
  });

  it('accept a model that names no cycle or instructions event', () => {
    expect(
      only((f) => {
        delete f.cycleEvent;
        delete f.instRetiredEvent;
      }),
    ).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CHECKS, formatFinding, runConformance } from './conformance.js';
import { CHECKED_SCHEME, validFixture } from './fixtures.js';
import { normaliseModel } from './model.js';
import { SEMANTIC_RULES } from './rules.js';
import { type PmuModelFile, PmuModelFileSchema } from './schema.js';
import { registerScheme } from './schemes/registry.js';

function conformance(mutate: (f: PmuModelFile) => void, file?: string) {
  const f = validFixture();
  mutate(f);
  const model = normaliseModel(PmuModelFileSchema.parse(f));
  return runConformance(model, file === undefined ? {} : { file });
}

describe('runConformance', () => {
  it('passes the fixture', () => {
    expect(conformance(() => {}, '/x/models/test/fixture.json')).toEqual([]);
  });

  it('groups validation rules under the issue headings', () => {
    const findings = conformance((f) => {
      f.events[12]!.counters = [0, 5];
    });
    expect(findings).toEqual([
      {
        check: 'constraints',
        rule: 'counter-exists',
        path: 'events[12].counters',
        message: 'counter 5 does not exist',
      },
    ]);
    expect(formatFinding(findings[0]!)).toBe(
      '[constraints] events[12].counters: counter 5 does not exist (counter-exists)',
    );
  });

  it('finds a counter no PMC controls', () => {
    const findings = conformance((f) => {
      f.pmcs[1]!.controls = [];
    });
    expect(findings.map((x) => x.check)).toContain('encodable');
    expect(findings[0]).toMatchObject({ path: 'events[0]', message: 'CYCLES: no PMC controls counter 1' });
  });

  it('finds an x86 event whose encoding sets reserved bits of its PMC', () => {
    const findings = conformance((f) => {
      f.pmcs[1]!.reservedMask = '0xffffffff007000ff';
    });
    expect(findings[0]).toMatchObject({
      check: 'encodable',
      path: 'events[0]',
      message: 'CYCLES encodes to 0x79, setting reserved bits 0x79 of PERFEVTSEL1',
    });
  });

  it('checks the combination of every combinable unit mask', () => {
    const findings = conformance((f) => {
      f.events[14]!.unitMasks = [
        { name: 'A', value: '0x80' },
        { name: 'B', value: '0x7f' },
      ];
      f.pmcs[0]!.reservedMask = '0xffffffff0030ff00';
      f.pmcs[1]!.reservedMask = '0xffffffff0070ff00';
      f.events[14]!.code = '0x2e';
    });
    expect(findings.map((x) => x.path)).toEqual(
      expect.arrayContaining(['events[14].unitMasks[0]', 'events[14].unitMasks[1]', 'events[14].unitMasks']),
    );
  });

  it('checks the file sits under its vendor directory', () => {
    expect(conformance(() => {}, '/x/models/intel/fixture.json')).toEqual([
      {
        check: 'file-location',
        rule: 'file-location',
        path: 'vendor',
        message: 'vendor "test" but the file is in directory "intel" (expected models/test/)',
      },
    ]);
  });

  it('documents every check', () => {
    expect(Object.keys(CONFORMANCE_CHECKS)).toEqual([
      'unique',
      'masks-widths',
      'constraints',
      'defaults',
      'references',
      'encodable',
      'round-trip',
      'file-location',
    ]);
  });

  it('files each validation rule under its check', () => {
    const cases: readonly [string, (f: PmuModelFile) => void, string][] = [
      [
        'register-limit',
        (f) => {
          f.pmcs[2]!.index = 320;
        },
        'masks-widths',
      ],
      [
        'unique-index',
        (f) => {
          f.pmcs[1]!.index = 0;
        },
        'unique',
      ],
      [
        'unique-name',
        (f) => {
          f.events[3]!.name = 'cycles';
        },
        'unique',
      ],
      [
        'duplicate-entry',
        (f) => {
          f.events[3]!.counters = [0, 0];
        },
        'unique',
      ],
      [
        'register-type',
        (f) => {
          f.pmds[3]!.type = ['RO'];
        },
        'references',
      ],
      [
        'no-emul64',
        (f) => {
          f.pmcs[2]!.noEmul64Mask = '0x8';
        },
        'defaults',
      ],
      [
        'reserved-width',
        (f) => {
          f.pmds[0]!.reservedMask = '0xfffffff000000000';
        },
        'masks-widths',
      ],
      [
        'counter-width',
        (f) => {
          f.counterWidth = 33;
        },
        'masks-widths',
      ],
      [
        'no-counters',
        (f) => {
          for (const r of f.pmds) r.type = ['I', 'RO'];
        },
        'constraints',
      ],
      [
        'default-reserved',
        (f) => {
          f.pmds[0]!.defaultValue = '0x100000000';
        },
        'defaults',
      ],
      [
        'controls',
        (f) => {
          f.pmcs[0]!.controls = [0, 7];
        },
        'constraints',
      ],
      [
        'code-width',
        (f) => {
          f.events[1]!.code = '0x1c0c0';
        },
        'masks-widths',
      ],
      [
        'umask-width',
        (f) => {
          f.events[14]!.unitMasks![0]!.value = '0x100';
        },
        'masks-widths',
      ],
      [
        'counter-exists',
        (f) => {
          f.events[3]!.counters = [5];
        },
        'constraints',
      ],
      [
        'counter-type',
        (f) => {
          f.events[3]!.counters = [20];
        },
        'constraints',
      ],
      [
        'fixed-exists',
        (f) => {
          f.events[0]!.fixed = { pmd: 16, pmc: 5 };
        },
        'constraints',
      ],
      [
        'fixed-control',
        (f) => {
          f.events[1]!.fixed = { pmd: 1, pmc: 0 };
        },
        'constraints',
      ],
      [
        'countable',
        (f) => {
          f.events[3]!.counters = [];
        },
        'constraints',
      ],
      [
        'event-ref',
        (f) => {
          f.cycleEvent = 'NOPE';
        },
        'references',
      ],
      [
        'encoding-option',
        (f) => {
          f.encoding.options = { enablePmc: 7 };
        },
        'references',
      ],
      [
        'scheme-rule',
        (f) => {
          f.encoding.scheme = CHECKED_SCHEME.name;
          f.events[2]!.name = 'RESERVED_X';
        },
        'constraints',
      ],
    ];
    registerScheme(CHECKED_SCHEME);
    expect(cases.map(([rule]) => rule).sort()).toEqual(Object.keys(SEMANTIC_RULES).sort());
    for (const [rule, mutate, check] of cases) {
      const found = conformance(mutate).filter((x) => x.rule === rule);
      expect(found.length, rule).toBeGreaterThan(0);
      for (const x of found) expect(x.check, rule).toBe(check);
    }
  });

  it('reports a unit mask too wide for the field once, without encoding it', () => {
    const findings = conformance((f) => {
      f.encoding.umaskBits = 4;
      f.events[14]!.unitMasks![1]!.value = '0x10';
    });
    expect(findings.filter((x) => x.check === 'encodable')).toEqual([
      {
        check: 'encodable',
        rule: 'encodable',
        path: 'events[14].unitMasks[1]',
        message: 'L2_RQSTS:M: unit mask 0x10 does not fit 4 bits',
      },
      {
        check: 'encodable',
        rule: 'encodable',
        path: 'events[14].unitMasks',
        message: 'L2_RQSTS with every unit mask: unit mask 0x11 does not fit 4 bits',
      },
    ]);
  });

  it('tries every unit mask together only when they combine, and more than one exists', () => {
    // One reserved bit that only the two masks together would not hit: none, so each alone.
    const reserve = (f: PmuModelFile, mask: string) => {
      f.pmcs[0]!.reservedMask = mask;
      f.pmcs[1]!.reservedMask = mask;
    };
    const paths = (mutate: (f: PmuModelFile) => void) =>
      conformance((f) => {
        reserve(f, '0xffffffff00300100');
        mutate(f);
      })
        .filter((x) => x.check === 'encodable')
        .map((x) => x.path);
    // I (0x1) sets bit 8, reserved: alone and in the combination.
    expect(paths(() => {})).toEqual([
      'events[14].unitMasks[0]',
      'events[14].unitMasks[0]',
      'events[14].unitMasks',
      'events[14].unitMasks',
    ]);
    expect(
      paths((f) => {
        f.events[14]!.umaskCombinable = false;
      }),
    ).toEqual(['events[14].unitMasks[0]', 'events[14].unitMasks[0]']);
    expect(paths((f) => void f.events[14]!.unitMasks!.pop())).toEqual([
      'events[14].unitMasks[0]',
      'events[14].unitMasks[0]',
    ]);
  });

  it('names the PMC whose reserved bits an encoding sets, for each counter the event may use', () => {
    const findings = conformance((f) => {
      f.pmcs[0]!.reservedMask = '0xffffffff00300080';
      f.events[1]!.counters = [0];
      f.events[14]!.counters = [1];
    });
    expect(findings.map(formatFinding)).toEqual([
      '[encodable] events[1]: INST_RETIRED encodes to 0xc0, setting reserved bits 0x80 of PERFEVTSEL0',
    ]);
  });

  it('checks reserved bits only for the x86 PERFEVTSEL scheme', () => {
    const findings = conformance((f) => {
      f.encoding.scheme = 'mips64-ctrl';
      f.pmcs[0]!.reservedMask = '0xffffffff003000ff';
    });
    expect(findings).toEqual([]);
  });

  it('finds a fixed counter its PMC does not control, per event and per unit mask', () => {
    const findings = conformance((f) => {
      f.pmcs.push({ index: 17, name: 'OTHER_CTRL', type: ['I'], defaultValue: '0x0', reservedMask: '0x0' });
      f.events[14]!.unitMasks![1]!.fixed = { pmd: 16, pmc: 17 };
      f.events[0]!.fixed = { pmd: 16, pmc: 17 };
    });
    expect(findings.filter((x) => x.check === 'encodable').map(formatFinding)).toEqual([
      '[encodable] events[0]: CYCLES: fixed counter 16 is not controlled by PMC 17',
      '[encodable] events[14].unitMasks[1]: L2_RQSTS:M: fixed counter 16 is not controlled by PMC 17',
    ]);
    expect(findings.map((x) => x.rule)).toContain('fixed-control');
  });

  it('reports a model the schema would reject as a round-trip failure with the schema rule', () => {
    const f = validFixture();
    f.id = 'Not_Kebab';
    const findings = runConformance(normaliseModel(f));
    expect(findings).toEqual([
      {
        check: 'round-trip',
        rule: 'format',
        path: 'id',
        message: 'expected a lower-case kebab id such as "intel-p6"',
      },
    ]);
  });

  it('reports a model that changes on the way through the schema', () => {
    const f = validFixture();
    // An undefined entry is dropped by JSON: the event comes back with no model data at all.
    f.events[0]!.modelData = { escr: undefined };
    expect(runConformance(normaliseModel(f))).toEqual([
      {
        check: 'round-trip',
        rule: 'round-trip',
        path: '$',
        message: 'the model changes after a round trip through the schema',
      },
    ]);
  });

  it('skips the round trip of a model that breaks a rule', () => {
    const f = validFixture();
    f.id = 'Not_Kebab';
    f.cycleEvent = 'NOPE';
    expect(runConformance(normaliseModel(f)).map((x) => x.check)).toEqual(['references']);
  });

  it('checks the file is a .json file', () => {
    expect(conformance(() => {}, '/x/models/test/fixture.yaml')).toEqual([
      {
        check: 'file-location',
        rule: 'file-location',
        path: '$',
        message: '/x/models/test/fixture.yaml is not a .json file',
      },
    ]);
  });

  it('prints a finding of a conformance-only check without repeating the rule', () => {
    expect(formatFinding({ check: 'round-trip', rule: 'round-trip', path: '$', message: 'changed' })).toBe(
      '[round-trip] $: changed',
    );
  });

  it("applies one unit mask's counters alone, the event's counters to all masks together", () => {
    const findings = conformance((f) => {
      f.pmcs[1]!.reservedMask = '0xffffffff007000ff';
      f.events[14]!.unitMasks![0]!.counters = [0];
    });
    expect(findings.filter((x) => x.path.startsWith('events[14]')).map((x) => x.path)).toEqual([
      'events[14].unitMasks[1]',
      'events[14].unitMasks',
    ]);
  });

  it('finds a fixed counter whose PMC does not exist', () => {
    const findings = conformance((f) => {
      f.events[0]!.fixed = { pmd: 16, pmc: 5 };
    });
    expect(findings.map(formatFinding)).toContain(
      '[encodable] events[0]: CYCLES: fixed counter 16 is not controlled by PMC 5',
    );
  });
});

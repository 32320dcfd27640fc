// salvageModel: what part of a schema-invalid file the semantic rules still see, and which
// rules are skipped because they read a part that was left out or replaced.
import { describe, expect, it } from 'vitest';
import { validFixture } from './fixtures.js';
import { restoreIndexes, salvageModel } from './salvage.js';

type Data = Record<string, unknown>;
const fixture = () => validFixture() as unknown as Data;
const skippedOf = (data: unknown) => [...(salvageModel(data)?.skipped ?? ['(no salvage)'])].sort();

describe('salvageModel', () => {
  it('anything but an object has no salvage', () => {
    for (const data of [null, undefined, [], 'x', 3]) expect(salvageModel(data)).toBeUndefined();
  });

  it('a valid file salvages whole: every element kept at its own index, no rule skipped', () => {
    const data = fixture();
    const s = salvageModel(data)!;
    expect(s.file).toEqual(data);
    expect(s.skipped.size).toBe(0);
    const n = (k: string) => (data[k] as unknown[]).length;
    expect(s.indexes).toEqual({
      pmcs: [...Array(n('pmcs')).keys()],
      pmds: [...Array(n('pmds')).keys()],
      events: [...Array(n('events')).keys()],
      sources: [...Array(n('sources')).keys()],
    });
  });

  it('an invalid list element is left out, the others keep their file indexes; its readers are skipped', () => {
    const data = fixture();
    (data.pmds as Data[])[1] = { index: 'one' };
    const s = salvageModel(data)!;
    expect(s.indexes.pmds).toEqual([0, ...[...Array((data.pmds as unknown[]).length).keys()].slice(2)]);
    expect((s.file.pmds as unknown[]).length).toBe((data.pmds as unknown[]).length - 1);
    expect(skippedOf(data)).toEqual(
      [
        'controls',
        'counter-exists',
        'counter-type',
        'fixed-control',
        'fixed-exists',
        'no-counters',
        'scheme-rule',
      ].sort(),
    );
  });

  it('each list and field taints exactly the rules that read it', () => {
    const cases: [string, (d: Data) => void, string[]][] = [
      [
        'pmcs',
        (d) => ((d.pmcs as Data[])[0] = { index: -1 }),
        ['encoding-option', 'fixed-control', 'fixed-exists', 'scheme-rule'],
      ],
      ['events', (d) => ((d.events as Data[])[0] = { name: 3 }), ['event-ref', 'scheme-rule']],
      ['sources', (d) => ((d.sources as Data[])[0] = { what: 1 }), []],
      ['counterWidth', (d) => (d.counterWidth = 'wide'), ['counter-width', 'reserved-width']],
      ['hwCounterWidth', (d) => (d.hwCounterWidth = 0), ['counter-width', 'reserved-width']],
      [
        'encoding',
        (d) => (d.encoding = { scheme: 'X' }),
        ['code-width', 'encoding-option', 'scheme-name', 'scheme-rule', 'umask-width'],
      ],
      ['name', (d) => (d.name = ''), []],
    ];
    for (const [what, spoil, rules] of cases) {
      const data = fixture();
      spoil(data);
      expect(skippedOf(data), what).toEqual(rules.sort());
    }
  });

  it('an element with keys its schema does not know is kept without them', () => {
    const data = fixture();
    (data.events as Data[])[0] = { ...(data.events as Data[])[0], colour: 'red' };
    const s = salvageModel(data)!;
    expect(s.indexes.events[0]).toBe(0);
    expect(s.file.events[0]).not.toHaveProperty('colour');
    expect(s.skipped.size).toBe(0);
  });

  it('a required field that fails is replaced by a neutral placeholder', () => {
    const data = fixture();
    Object.assign(data, {
      id: 'Bad Id',
      name: 7,
      description: 1,
      vendor: 'X',
      archs: ['vax'],
      module: '',
      libpfm: {},
      counterWidth: 0,
      hwCounterWidth: 99,
      encoding: null,
      sources: [{}],
    });
    const f = salvageModel(data)!.file;
    expect(f).toMatchObject({
      id: 'invalid',
      name: 'invalid',
      description: '',
      vendor: 'invalid',
      archs: ['x86_64'],
      module: 'invalid',
      libpfm: { name: 'invalid', type: 0 },
      counterWidth: 64,
      hwCounterWidth: 64,
      encoding: { scheme: 'invalid', eventBits: 64, umaskBits: 64 },
      sources: [{ what: 'invalid', ref: 'invalid', verified: false }],
    });
  });

  it('an optional field that fails is left out; a missing optional one stays missing', () => {
    const data = fixture();
    data.cycleEvent = 5;
    delete data.$schema;
    const s = salvageModel(data)!;
    expect(s.file).not.toHaveProperty('cycleEvent');
    expect(s.file).not.toHaveProperty('$schema');
    expect(s.skipped.size).toBe(0);
  });

  it('no valid PMC or PMD, or no list at all: no salvage; events may all fail (an empty table is valid)', () => {
    for (const key of ['pmcs', 'pmds']) {
      const none = fixture();
      none[key] = [{ index: 'x' }];
      expect(salvageModel(none), key).toBeUndefined();
      const missing = fixture();
      delete missing[key];
      expect(salvageModel(missing), `${key} missing`).toBeUndefined();
    }
    const data = fixture();
    data.events = [{ name: 1 }, { name: 2 }];
    const s = salvageModel(data)!;
    expect(s.file.events).toEqual([]);
    expect(s.indexes.events).toEqual([]);
    expect(skippedOf(data)).toEqual(['event-ref', 'scheme-rule']);
  });
});

describe('restoreIndexes', () => {
  it("turns each salvaged list index back into the file's, multi-digit ones too; an unknown index stays", () => {
    const indexes = {
      pmcs: [0, 2],
      pmds: [1],
      events: Array.from({ length: 12 }, (_, i) => i + 3),
      sources: [],
    };
    expect(restoreIndexes('pmcs[1].controls[0] and pmds[0] of events[11]', indexes)).toBe(
      'pmcs[2].controls[0] and pmds[1] of events[14]',
    );
    expect(restoreIndexes('sources[0], pmcs[5], xpmcs[1]', indexes)).toBe('sources[0], pmcs[5], xpmcs[1]');
  });
});

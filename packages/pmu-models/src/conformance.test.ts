import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CHECKS, formatFinding, runConformance } from './conformance.js';
import { validFixture } from './fixtures.js';
import { normaliseModel } from './model.js';
import { type PmuModelFile, PmuModelFileSchema } from './schema.js';

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
});

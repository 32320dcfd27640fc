/** The README model table, on small models whose rows can be read at a glance. */
import { describe, expect, it } from 'vitest';
import { validFixture } from './fixtures.js';
import { normaliseModel } from './model.js';
import { type PmuModelFile, PmuModelFileSchema } from './schema.js';
import { renderModelTable, replaceModelTable, TABLE_END, TABLE_START } from './table.js';

const build = (mutate: (f: PmuModelFile) => void = () => {}) => {
  const f = validFixture();
  mutate(f);
  return normaliseModel(PmuModelFileSchema.parse(f));
};
const cells = (row: string | undefined) =>
  row
    ?.split('|')
    .map((c) => c.trim())
    .slice(1, -1);

describe('renderModelTable', () => {
  it('lists register indexes as ranges, counts fixed counters, widths and events', () => {
    const rows = renderModelTable([build()]).split('\n');
    expect(rows).toHaveLength(3);
    expect(cells(rows[2])).toEqual([
      '`test-pmu`',
      'Test PMU',
      '3 PMC (0–1, 16), 4 PMD (0–1, 16, 20)',
      '3 (1 fixed)',
      '31 / 32',
      '15',
    ]);
  });

  it('sorts registers, merges runs and omits the fixed count when there is none', () => {
    const m = build((f) => {
      f.pmds = [5, 3, 4, 9, 7, 8, 0].map((index) => ({
        index,
        name: `PMD${index}`,
        type: ['I', 'C64'],
        defaultValue: '0x0',
        reservedMask: '0x0',
      }));
      f.pmcs[2]!.controls = [];
      for (const e of f.events) {
        e.counters = [0];
        delete e.fixed;
      }
    });
    expect(cells(renderModelTable([m]).split('\n')[2])?.slice(2, 4)).toEqual([
      '3 PMC (0–1, 16), 7 PMD (0, 3–5, 7–9)',
      '7',
    ]);
  });

  it('counts a fixed counter reached only through a unit mask', () => {
    const m = build((f) => {
      delete f.events[0]!.fixed;
      f.events[14]!.unitMasks![0]!.fixed = { pmd: 16, pmc: 16 };
    });
    expect(cells(renderModelTable([m]).split('\n')[2])?.[3]).toBe('3 (1 fixed)');
  });

  it('orders models by id and pads every column to its widest cell', () => {
    const a = build((f) => {
      f.id = 'b-pmu';
      f.name = 'A much longer PMU name';
    });
    const b = build((f) => {
      f.id = 'a-pmu';
    });
    const rows = renderModelTable([a, b]).split('\n');
    expect(rows.map((r) => cells(r)?.[0])).toEqual(['Model', '-------', '`a-pmu`', '`b-pmu`']);
    expect(new Set(rows.map((r) => r.length)).size).toBe(1);
    expect(rows[0]).toBe(
      '| Model   | perfmon2 name          | Registers                            | Counters    | Width (perfmon2 / hardware) | Events |',
    );
    expect(rows[1]).toBe(
      '| ------- | ---------------------- | ------------------------------------ | ----------- | --------------------------- | ------ |',
    );
  });

  it('keeps short columns at least three dashes wide', () => {
    expect(renderModelTable([]).split('\n')).toEqual([
      '| Model | perfmon2 name | Registers | Counters | Width (perfmon2 / hardware) | Events |',
      '| ----- | ------------- | --------- | -------- | --------------------------- | ------ |',
    ]);
  });
});

describe('replaceModelTable', () => {
  it('replaces only the text between the markers', () => {
    expect(replaceModelTable(`a\n${TABLE_START}\nold\nold\n${TABLE_END}\nb`, 'new')).toBe(
      `a\n${TABLE_START}\nnew\n${TABLE_END}\nb`,
    );
  });

  it('needs both markers, in order', () => {
    const message = `README has no ${TABLE_START} ... ${TABLE_END} section`;
    expect(() => replaceModelTable(`${TABLE_START}\n`, 'x')).toThrow(message);
    expect(() => replaceModelTable(`${TABLE_END}\n`, 'x')).toThrow(message);
    expect(() => replaceModelTable(`${TABLE_END}\n${TABLE_START}\n`, 'x')).toThrow(message);
    expect(replaceModelTable(`${TABLE_START}${TABLE_END}`, 'x')).toBe(`${TABLE_START}\nx\n${TABLE_END}`);
  });
});

// parsePhases, the --workload grammar of `pfmsim record`: names, shares, address ranges laid
// out one after the other, events per cycle, and a one-line UsageError for each bad part.
import { TEXT_START } from '@pfmsim/perfmon-core';
import { getModel, type PmuModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parsePhases } from './record.js';

const p6 = getModel('intel-p6');
const P6_BASE = { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 };

/** The UsageError's message and hint. */
function refused(spec: string, model: PmuModel = p6): [string, string] {
  try {
    parsePhases(model, spec);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return [e.message, e.hint ?? ''];
  }
  throw new Error(`"${spec}" was accepted`);
}

describe('parsePhases', () => {
  it('defaults to main=50;compute=30;io=20 in 4 KiB functions from the start of the text, io retiring nothing', () => {
    expect(parsePhases(p6, undefined)).toEqual([
      { name: 'main', share: 50, start: TEXT_START, end: TEXT_START + 0x1000, events: P6_BASE },
      {
        name: 'compute',
        share: 30,
        start: TEXT_START + 0x1000,
        end: TEXT_START + 0x2000,
        events: P6_BASE,
      },
      {
        name: 'io',
        share: 20,
        start: TEXT_START + 0x2000,
        end: TEXT_START + 0x3000,
        events: { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0 },
      },
    ]);
  });

  it('reads spaces, decimals, hex and decimal ranges, rates that override the defaults, and empty parts', () => {
    const phases = parsePhases(
      p6,
      ' a = 1.5 @ 0x1000 - 0x1800 : INST_RETIRED = 2.25 , CPU_CLK_UNHALTED=0 ; ;b=2@8192-12288;c.d=10',
    );
    expect(phases).toEqual([
      {
        name: 'a',
        share: 1.5,
        start: 0x1000,
        end: 0x1800,
        events: { CPU_CLK_UNHALTED: 0, INST_RETIRED: 2.25 },
      },
      { name: 'b', share: 2, start: 8192, end: 12288, events: P6_BASE },
      // the next free 4 KiB: after the highest end so far, and never below the text
      { name: 'c.d', share: 10, start: TEXT_START, end: TEXT_START + 0x1000, events: P6_BASE },
    ]);
    // a start alone cannot be given; the range follows the last function placed above the text
    const after = parsePhases(p6, `x=1@${TEXT_START + 0x4000}-${TEXT_START + 0x4010};y=1`);
    expect(after[1]).toMatchObject({ start: TEXT_START + 0x4010, end: TEXT_START + 0x5010 });
  });

  it('a model without a cycle or instruction event gives no default rates', () => {
    const bare = { ...p6, cycleEvent: undefined, instRetiredEvent: undefined } as unknown as PmuModel;
    expect(parsePhases(bare, 'only=1')[0]!.events).toEqual({});
    expect(parsePhases(bare, undefined).map((p) => p.events)).toEqual([{}, {}, {}]);
  });

  it('refuses each bad part with the fix', () => {
    const grammar =
      'write NAME=SHARE[@START-END][:EVENT=RATE,...];... e.g. "main=50;hash=30@0x8050000-0x8050400:INST_RETIRED=2;wait=20"';
    expect(refused('main')).toEqual(['--workload: cannot read "main"', grammar]);
    expect(refused(' 9x=1 ')).toEqual(['--workload: cannot read "9x=1"', grammar]);
    expect(refused('a=0')).toEqual(['--workload: cannot read "a=0"', grammar]);
    expect(refused('a=1.')).toEqual(['--workload: cannot read "a=1."', grammar]);
    expect(refused('a=1@0x10')).toEqual(['--workload: cannot read "a=1@0x10"', grammar]);
    expect(refused('a=1 x')).toEqual(['--workload: cannot read "a=1 x"', grammar]);
    expect(refused('a=1@0x2000-0x2000')).toEqual([
      "--workload: a's addresses 0x2000-0x2000 are empty",
      'give START-END with START < END',
    ]);
    const rate = 'write EVENT=RATE (events per cycle)';
    expect(refused('a=1: INST_RETIRED ')).toEqual(['--workload: cannot read "INST_RETIRED" in a', rate]);
    expect(refused('a=1:INST_RETIRED=x')).toEqual(['--workload: cannot read "INST_RETIRED=x" in a', rate]);
    expect(refused('a=1:INST_RETIRED=1.')).toEqual(['--workload: cannot read "INST_RETIRED=1." in a', rate]);
    expect(refused('a=1:INST_RETIRED=1 2')).toEqual([
      '--workload: cannot read "INST_RETIRED=1 2" in a',
      rate,
    ]);
    expect(refused('a=1:INST RETIRED=1')).toEqual(['--workload: cannot read "INST RETIRED=1" in a', rate]);
    expect(refused('a=1;a=2')).toEqual(['--workload: two phases named a', 'give each function its own name']);
    expect(refused(' ; ')).toEqual(['--workload: no phase', 'write NAME=SHARE;...']);
    expect(refused('')).toEqual(['--workload: no phase', 'write NAME=SHARE;...']);
  });

  it('accepts rates and shares written with spaces and several digits', () => {
    expect(parsePhases(p6, 'ab=12.75:INST_RETIRED=10.125,CPU_CLK_UNHALTED = 3')[0]).toEqual({
      name: 'ab',
      share: 12.75,
      start: TEXT_START,
      end: TEXT_START + 0x1000,
      events: { CPU_CLK_UNHALTED: 3, INST_RETIRED: 10.125 },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { usageLine } from '../test/helpers.js';
import {
  EXIT_FINDINGS,
  EXIT_OK,
  EXIT_USAGE,
  intOption,
  listOf,
  oneOf,
  UsageError,
  unknownChoice,
} from './errors.js';

describe('usage errors', () => {
  it('print the problem, then the hint after a semicolon; no hint, no semicolon', () => {
    const e = new UsageError('unknown machine "x"', 'valid: a, b');
    expect(e.line()).toBe('unknown machine "x"; valid: a, b');
    expect(e.name).toBe('UsageError');
    expect(e).toBeInstanceOf(Error);
    expect(new UsageError('empty list').line()).toBe('empty list');
    expect(new UsageError('empty list', '').line()).toBe('empty list');
  });

  it('exit codes: 0 done, 1 findings, 2 bad input', () => {
    expect([EXIT_OK, EXIT_FINDINGS, EXIT_USAGE]).toEqual([0, 1, 2]);
  });

  it('an unknown choice names the closest and lists a short set of choices', () => {
    expect(unknownChoice('machine', 'p4-2007', ['p4-2006', 'k8-2006']).line()).toBe(
      'unknown machine "p4-2007"; did you mean "p4-2006"? valid: p4-2006, k8-2006',
    );
    // Nothing close: only the valid choices.
    expect(unknownChoice('strategy', 'zzzzzzzz', ['kmalloc', 'stack']).line()).toBe(
      'unknown strategy "zzzzzzzz"; valid: kmalloc, stack',
    );
  });

  it('a long set of choices is not printed: the command that lists them is named instead', () => {
    const twelve = Array.from({ length: 12 }, (_, i) => `event${i}`);
    expect(unknownChoice('event', 'zzzzzzzzzz', twelve, 'pfmsim pmu show').line()).toBe(
      `unknown event "zzzzzzzzzz"; valid: ${twelve.join(', ')}`,
    );
    const thirteen = [...twelve, 'event12'];
    expect(unknownChoice('event', 'evnt3', thirteen, 'pfmsim pmu show').line()).toBe(
      'unknown event "evnt3"; did you mean "event3"? `pfmsim pmu show` lists them',
    );
    // Without a command to name, only the suggestion.
    expect(unknownChoice('event', 'evnt3', thirteen).line()).toBe(
      'unknown event "evnt3"; did you mean "event3"?',
    );
    expect(unknownChoice('event', 'zzzzzzzzzz', thirteen).line()).toBe('unknown event "zzzzzzzzzz"');
  });

  it('oneOf returns a valid choice and rejects anything else', () => {
    expect(oneOf('abi', 'v3', ['v2.3', 'v3'])).toBe('v3');
    expect(usageLine(() => oneOf('ABI profile', 'v2.4', ['v2.3', 'v3']))).toBe(
      'unknown ABI profile "v2.4"; did you mean "v2.3"? valid: v2.3, v3',
    );
  });

  it('listOf splits on commas, trims, drops empties and duplicates, and "all" means every choice', () => {
    const choices = ['kmalloc', 'stack', 'hybrid'] as const;
    expect(listOf('strategy', ' stack , kmalloc,,stack ', choices)).toEqual(['stack', 'kmalloc']);
    expect(listOf('strategy', ' all ', choices)).toEqual(['kmalloc', 'stack', 'hybrid']);
    expect(usageLine(() => listOf('strategy', ' , ', choices))).toBe(
      'empty strategy list; give one or more of kmalloc, stack, hybrid',
    );
    expect(usageLine(() => listOf('strategy', 'kmalloc,stak', choices))).toBe(
      'unknown strategy "stak"; did you mean "stack"? valid: kmalloc, stack, hybrid',
    );
    const many = Array.from({ length: 13 }, (_, i) => `s${i}`);
    expect(usageLine(() => listOf('strategy', 'zzzzzzz', many, 'pfmsim strategies'))).toBe(
      'unknown strategy "zzzzzzz"; `pfmsim strategies` lists them',
    );
  });

  it('intOption takes integers within its bounds, and names the flag and the range otherwise', () => {
    expect(intOption('--threads', '1', 1, 16)).toBe(1);
    expect(intOption('--threads', '16', 1, 16)).toBe(16);
    expect(intOption('--threads', ' 7 ', 1, 16)).toBe(7);
    expect(intOption('--offset', '-3', -5, 5)).toBe(-3);
    for (const bad of ['0', '17', 'two', '1.5', '', '1e1', '0x10', '9007199254740993']) {
      expect(usageLine(() => intOption('--threads', bad, 1, 16))).toBe(
        `--threads must be an integer from 1 to 16, got "${bad}"`,
      );
    }
    expect(usageLine(() => intOption('--big', '9007199254740993', 0, Number.MAX_VALUE))).toBe(
      `--big must be an integer from 0 to ${Number.MAX_VALUE}, got "9007199254740993"`,
    );
  });
});

import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, runCli, runInProcess, tempDir } from './helpers.js';

describe('errors for people: one line, a suggestion, exit 2, no partial output', () => {
  it('bad flags, unknown commands, machines, strategies, events and cost figures', async () => {
    const dir = tempDir();
    const cases: [string[], RegExp][] = [
      [['compare', '--machnie', 'p4-2006'], /unknown option '--machnie' \(Did you mean --machine\?\)/],
      [['comapre'], /unknown command 'comapre' \(Did you mean compare\?\)/],
      [
        ['compare', '--machine', 'p4-2007', '--export-json', 'x.json'],
        /unknown machine "p4-2007"; did you mean "p4-2006"\?/,
      ],
      [['compare', '--strategies', 'kmalloc,stak'], /unknown strategy "stak"; did you mean "stack"\?/],
      [['compare', '--abi', 'v2.4'], /unknown ABI profile "v2\.4"; did you mean "v2\.3"\?/],
      [
        ['compare', '--machine', 'itanium2-2006', '--pmu', 'intel-core'],
        /PMU model intel-core does not run on arch ia64 .*; PMU models for ia64: itanium2, montecito/,
      ],
      [['compare', '--threads', 'two'], /--threads must be an integer from 1 to 16, got "two"/],
      [['compare', '--pmu', 'intel-cor'], /unknown PMU model "intel-cor"; did you mean "intel-core"\?/],
      [
        ['compare', '--export-csv', 'no/such/dir/x.csv'],
        /--export-csv no\/such\/dir\/x\.csv: directory .* does not exist/,
      ],
      [['attack', '--strategy', 'ctx-cach'], /unknown strategy "ctx-cach"; did you mean "ctx-cache"\?/],
      [
        ['attack', '--user-budget', '4096'],
        /--user-budget and --global-budget set the budgets of ctx-cache-bounded and hybrid; ctx-cache has none: drop them or pick one of those strategies/,
      ],
      [['attack', '--users', '0'], /--users must be an integer from 1 to 4096, got "0"/],
      [['attack', '--nr-open', '1048577'], /--nr-open must be an integer from 1 to 1048576, got "1048577"/],
      [['attack', '-n', '16777217'], /--contexts must be an integer from 1 to 16777216, got "16777217"/],
      [
        ['attack', '-s', 'hybrid', '--global-budget', '-1'],
        /--global-budget must be an integer from 0 to 1073741824, got "-1"/,
      ],
      [['race', '--explore', 'exhaustiv'], /unknown --explore mode "exhaustiv"; did you mean "exhaustive"\?/],
      [['race', '--replay', '1-0.0'], /invalid replay: "1-0\.0"/],
      [
        ['stat', '-e', 'INST_RETIRD', '--machine', 'core2-2007'],
        /unknown event for intel-core "INST_RETIRD"; did you mean "INST_RETIRED"\?/,
      ],
      [
        ['calibrate', '--target', 'pfm_read_pmds n=4 stack vs kmalloc = -20%', '--vary', 'kmallocFst'],
        /unknown cost figure "kmallocFst"; did you mean "kmallocFast"\?/,
      ],
      [['calibrate', '--target', 'read n=4 stack = 5', '--vary', 'kmallocFast'], /unknown syscall "read"/],
      [['tune', '--sizes', 'pmx:1=2'], /unknown element kind "pmx"; did you mean "pmc"\?/],
      [['pmu', 'show', 'itanium'], /unknown PMU model "itanium"; did you mean "itanium2"\?/],
      [['sweep', '-c', 'missing.json'], /config missing\.json does not exist/],
      [['merge', 'nothing.jsonl', '-o', 'out.jsonl'], /results file nothing\.jsonl does not exist/],
      [['report', 'nothing.json', '-o', 'r.html'], /results file nothing\.json does not exist/],
    ];
    // The first three through the real binary, the rest in-process (same parser and error path).
    for (const [i, [args, pattern]] of cases.entries()) {
      const r = i < 3 ? await runCli(args, { cwd: dir }) : await runInProcess(args, { cwd: dir });
      expectUsageError(r, pattern, args.join(' '));
    }
    expect(readdirSync(dir)).toEqual([]);
  }, 90_000);

  it('malformed sweep configs and report inputs name the JSON path, and leave no file behind', async () => {
    const dir = tempDir();
    const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
    write('syntax.json', '{"machines": [');
    write('key.json', '{"stratgies": ["kmalloc"]}');
    write('machine.json', '{"machines": ["p4-2006", "k8-2007"]}');
    write('count.json', '{"counts": [1, 0]}');
    write('abi.json', '{"abi": ["v2.4"], "machines": [{"machine": "k8-2006", "pmu": "itanium2"}]}');
    write('notcompare.json', '{"command": "tune"}');
    const cases: [string[], RegExp][] = [
      [['sweep', '-c', 'syntax.json'], /config syntax\.json is not valid JSON/],
      [['sweep', '-c', 'key.json'], /config key\.json: stratgies: unknown key; did you mean "strategies"\?/],
      [
        ['sweep', '-c', 'machine.json'],
        /config machine\.json: machines\[1\]: unknown machine "k8-2007"; did you mean "k8-2006"\?/,
      ],
      [
        ['sweep', '-c', 'count.json'],
        /config count\.json: counts\[1\]: must be an integer from 1 to 4096, got 0/,
      ],
      [
        ['sweep', '-c', 'abi.json'],
        /config abi\.json: machines\[0\]: PMU model itanium2 does not run on arch x86_64/,
      ],
      [
        ['report', 'notcompare.json', '-o', 'r.html'],
        /notcompare\.json is not a pfmsim compare, attack or record JSON document/,
      ],
    ];
    for (const [i, [args, pattern]] of cases.entries()) {
      expectUsageError(
        i === 0 ? await runCli(args, { cwd: dir }) : await runInProcess(args, { cwd: dir }),
        pattern,
        args.join(' '),
      );
    }
    expect(readdirSync(dir).sort()).toEqual([
      'abi.json',
      'count.json',
      'key.json',
      'machine.json',
      'notcompare.json',
      'syntax.json',
    ]);
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  }, 60_000);
});

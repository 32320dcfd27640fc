// The model-only plugin, held to what its README says: `intel-atom` exists only with the plugin,
// validates, is listed by `pmu list`, shown by `pmu show`, offered by `machines` for --pmu,
// counts in `stat` and in a pfmsim-test scenario, and libpfm encodes its events as libpfm-3.10's
// pfm_intel_atom_dispatch_counters does. Every command block of the README is run and its
// output compared with what the README prints.
import { readFileSync } from 'node:fs';
import { main } from '@pfmsim/cli';
import { loadPlugins, unloadPlugins } from '@pfmsim/lab';
import {
  dispatcherKind,
  PFM_PLM3,
  PFMLIB_ERR_FEATCOMB,
  PFMLIB_INTEL_ATOM_PMU,
  PfmError,
  pfmInitialize,
} from '@pfmsim/libpfm';
import { getModel, listModelIds, loadModelFile, runConformance } from '@pfmsim/pmu-models';
import { mainAsync } from '@pfmsim/test-runner';
import { afterEach, describe, expect, it } from 'vitest';

const HERE = new URL('.', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const PLUGIN = './examples/atom-model/atom-model.mjs';
const MODEL_FILE = `${HERE}models/intel/atom.json`;
const SLOW = { timeout: 120_000 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `pfmsim ARGS` in process, from the repository root (where the README's commands run). */
async function pfmsim(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += s;
    },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: { NO_COLOR: '1' },
    cwd: ROOT,
    now: () => performance.now(),
  });
  return { code, stdout, stderr };
}

/** `pfmsim-test ARGS` in process, from the repository root. */
async function pfmsimTest(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await mainAsync(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: { NO_COLOR: '1' },
    cwd: ROOT,
  });
  return { code, stdout, stderr };
}

/** Splits a command line as the shell does for the README's commands (single quotes only). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2]!);
  return words;
}

/** What may differ between the README and a run: the version in the header, wall-clock times. */
function normalise(text: string): string {
  return text
    .replace(/^pfmsim \S+ ·/gm, 'pfmsim VERSION ·')
    .replace(/\(8 strategies, \d+ ms\)/g, '(8 strategies, N ms)')
    .replace(/strategy\), \d+(\.\d+)? s$/gm, 'strategy), N s')
    .replace(/[ \t]+$/gm, '')
    .trimEnd();
}

interface Block {
  command: string;
  output: string;
}

/** The README's ```console blocks: a `$ command` line, then what it printed. */
function readmeBlocks(): Block[] {
  const readme = readFileSync(`${HERE}README.md`, 'utf8');
  return [...readme.matchAll(/```console\n\$ (.*)\n([\s\S]*?)```/g)].map((m) => ({
    command: m[1]!,
    output: m[2]!,
  }));
}

const PFMSIM = 'node scripts/pfmsim.mjs ';
const PFMSIM_TEST = 'node --conditions=@pfmsim/source --import tsx apps/test-runner/src/bin.ts ';

/** Runs one README command in process. */
function runCommand(command: string): Promise<Run> {
  if (command.startsWith(PFMSIM)) return pfmsim(...shellWords(command.slice(PFMSIM.length)));
  if (command.startsWith(PFMSIM_TEST)) return pfmsimTest(...shellWords(command.slice(PFMSIM_TEST.length)));
  throw new Error(`README command not understood: ${command}`);
}

/** A stat --json document's events. */
interface Stat {
  machine: string;
  sets: number;
  events: { name: string; set: number; pmd: number; value: number; scaled: number }[];
}

afterEach(() => {
  unloadPlugins();
});

describe('the atom-model plugin', () => {
  it('the model file is valid and conforms; its id and libpfm type are new to pfmsim', () => {
    const model = loadModelFile(MODEL_FILE);
    expect(model.id).toBe('intel-atom');
    expect(model.libpfm).toEqual({ name: 'Intel Atom', type: PFMLIB_INTEL_ATOM_PMU });
    expect(PFMLIB_INTEL_ATOM_PMU).toBe(39);
    expect(model.events).toHaveLength(43);
    expect(runConformance(model, { file: MODEL_FILE })).toEqual([]);
    // Without the plugin, no built-in model has the id or claims libpfm type 39.
    expect(listModelIds()).not.toContain('intel-atom');
    expect(listModelIds().map((id) => getModel(id).libpfm.type)).not.toContain(39);
  });

  it('without the plugin, the PMU is unknown to pfmsim', async () => {
    const r = await pfmsim('stat', '--machine', 'core2-2007', '--pmu', 'intel-atom');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown PMU model "intel-atom"');
  });

  it('pmu list, pmu validate, pmu show and machines show the model', async () => {
    const list = await pfmsim('pmu', 'list', '--plugin', PLUGIN);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(
      /^intel-atom +Intel Atom +intel +i386 i386-4k x86_64 x86_64-16k +4 +5 +5 +31 +43$/m,
    );

    const valid = await pfmsim('pmu', 'validate', 'examples/atom-model/models/intel/atom.json');
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toContain('valid PMU model "intel-atom" (43 events)');

    const show = await pfmsim('pmu', 'show', 'intel-atom', '--plugin', PLUGIN, '--json');
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('UNHALTED_REFERENCE_CYCLES');

    const machines = await pfmsim('machines', '--plugin', PLUGIN);
    expect(machines.code, machines.stderr).toBe(0);
    const pmuLine = machines.stdout.split('\n').find((l) => l.trimStart().startsWith('--pmu'));
    expect(pmuLine).toContain('intel-atom');
  });

  it('stat counts on the fixed and generic counters with the rates of the workload', SLOW, async () => {
    const workload =
      'UNHALTED_CORE_CYCLES=1,INSTRUCTIONS_RETIRED=0.6,UNHALTED_REFERENCE_CYCLES=0.08,BR_INST_RETIRED:MISPRED=0.004,L2_RQSTS:SELF:ANY:MESI=0.02';
    const r = await pfmsim(
      'stat',
      '--plugin',
      PLUGIN,
      '--machine',
      'core2-2007',
      '--pmu',
      'intel-atom',
      '-e',
      'UNHALTED_CORE_CYCLES,INSTRUCTIONS_RETIRED,UNHALTED_REFERENCE_CYCLES,BR_INST_RETIRED:MISPRED,L2_RQSTS:SELF:ANY:MESI',
      '--workload',
      workload,
      '--cycles',
      '10000000',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Stat;
    expect(doc.machine).toBe('x86_64/core2-2007/intel-atom');
    // Five events, five counters: one set, no multiplexing, exact counts; each where libpfm puts it.
    expect(doc.sets).toBe(1);
    expect(doc.events.map((e) => [e.name, e.pmd, e.value])).toEqual([
      ['UNHALTED_CORE_CYCLES', 17, 10_000_000],
      ['INSTRUCTIONS_RETIRED', 16, 6_000_000],
      ['UNHALTED_REFERENCE_CYCLES', 18, 800_000],
      ['BR_INST_RETIRED:MISPRED', 0, 40_000],
      ['L2_RQSTS:SELF:ANY:MESI', 1, 200_000],
    ]);
  });

  it('libpfm: type 39 is found, and dispatch encodes PERFEVTSEL0 and FIXED_CTRL as libpfm-3.10 does', async () => {
    await loadPlugins([PLUGIN], { cwd: ROOT });
    const detected = pfmInitialize({ model: 'intel-atom' });
    const lib = pfmInitialize({ forcePmu: PFMLIB_INTEL_ATOM_PMU });
    for (const l of [detected, lib]) {
      expect(l.getPmuName()).toBe('Intel Atom');
      expect(l.getPmuType()).toBe(39);
      expect(l.getNumCounters()).toBe(5);
      expect(l.getNumEvents()).toBe(43);
      expect(l.getHwCounterWidth()).toBe(32);
    }
    expect(lib.getEventName(lib.getCycleEvent().event)).toBe('UNHALTED_CORE_CYCLES');
    expect(lib.getEventName(lib.getInstRetiredEvent().event)).toBe('INSTRUCTIONS_RETIRED');
    const specs = ['INSTRUCTIONS_RETIRED', 'UNHALTED_CORE_CYCLES', 'BR_INST_RETIRED:MISPRED'];
    const output = lib.dispatchEvents({
      events: specs.map((s) => lib.findFullEvent(s)),
      dflPlm: PFM_PLM3,
    });
    expect(output.pmds.map((p) => p.regNum)).toEqual([16, 17, 0]);
    const pmc = (n: number) => output.pmcs.find((p) => p.regNum === n)?.regValue;
    // pfm_intel_atom_dispatch_counters, PERFEVTSEL0 for BR_INST_RETIRED:MISPRED at PLM3:
    //   event select 0xc4 (bits 0-7) | unit mask MISPRED 0x0a << 8 = 0xa00 | USR 1 << 16 = 0x10000
    //   | INT 1 << 20 = 0x100000 (forced) | EN 1 << 22 = 0x400000 (forced) = 0x510ac4
    expect(pmc(0)).toBe(0xc4n + 0xa00n + 0x10000n + 0x100000n + 0x400000n);
    expect(pmc(0)).toBe(0x510ac4n);
    // FIXED_CTRL: per fixed counter a nibble, USR bit 1 (0x2) | PMI bit 3 (0x8, forced) = 0xa;
    //   INSTRUCTIONS_RETIRED on FIXED_CTR0 (nibble 0), UNHALTED_CORE_CYCLES on FIXED_CTR1 (nibble 1)
    expect(pmc(16)).toBe(0xan | (0xan << 4n));
    expect(pmc(16)).toBe(0xaan);
    expect(output.pmcs.map((p) => p.regAddr)).toEqual([0x38dn, 0x186n]);
    // L2_RQSTS:SELF:ANY:MESI = 0x40 | 0x30 | 0x0f = 0x7f in the unit-mask field.
    const l2 = lib.dispatchEvents({
      events: [lib.findFullEvent('L2_RQSTS:SELF:ANY:MESI')],
      dflPlm: PFM_PLM3,
    });
    expect(l2.pmcs[0]!.regValue).toBe(0x2en | (0x7fn << 8n) | 0x510000n);
    // The figures the README quotes.
    const readme = readFileSync(`${HERE}README.md`, 'utf8').replace(/\s+/g, ' ');
    const model = getModel('intel-atom');
    const unitMasks = model.events.reduce((n, e) => n + e.unitMasks.length, 0);
    expect(readme).toContain(`**${model.events.length} of its 78 events** (${unitMasks} unit masks)`);
    expect(readme).toContain(`// ${lib.getPmuName()} ${lib.getNumCounters()} ${lib.getNumEvents()} `);
    expect(readme).toContain(`**\`0x${pmc(0)!.toString(16)}\`**`);
    expect(readme).toContain(`**\`0x${pmc(16)!.toString(16)}\`**`);
  });

  it("libpfm: what the README says pfmsim does differently from libpfm's Atom code", async () => {
    await loadPlugins([PLUGIN], { cwd: ROOT });
    const lib = pfmInitialize({ model: 'intel-atom' });
    expect(dispatcherKind(getModel('intel-atom'))).toBe('gen_ia32');
    let error: unknown;
    try {
      lib.dispatchEvents({ events: [lib.findFullEvent('CPU_CLK_UNHALTED:BUS:NO_OTHER')], dflPlm: PFM_PLM3 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PfmError);
    expect((error as PfmError).code).toBe(PFMLIB_ERR_FEATCOMB);
    const pebs = lib.dispatchEvents(
      { events: [lib.findFullEvent('MEM_LOAD_RETIRED:L2_MISS')], dflPlm: PFM_PLM3 },
      { pebs: true },
    );
    expect(pebs.pmcs.map((p) => p.regNum)).toEqual([0]);
    const readme = readFileSync(`${HERE}README.md`, 'utf8');
    expect(readme).toContain('`PFMLIB_ERR_FEATCOMB`');
    expect(readme).toContain('no PEBS_ENABLE');
  });

  it('every command block of the README prints what the README shows', SLOW, async () => {
    const blocks = readmeBlocks();
    expect(blocks.map((b) => shellWords(b.command).slice(2, 4).join(' '))).toEqual([
      'pmu list',
      'pmu validate',
      'pmu show',
      'machines --plugin',
      'stat --plugin',
      'stat --plugin',
      '--import tsx',
    ]);
    for (const block of blocks) {
      const r = await runCommand(block.command);
      expect(r.code, `${block.command}\n${r.stderr}`).toBe(0);
      expect(normalise(r.stdout), block.command).toBe(normalise(block.output));
    }
    // The scenario's expectations, as the README's prose quotes them.
    const scenario = readFileSync(`${HERE}atom-self.yaml`, 'utf8');
    expect(scenario).toContain('out: [{ reg_value: 1800000 }, { reg_value: 3000000 }, { reg_value: 12000 }]');
    const readme = readFileSync(`${HERE}README.md`, 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(
      'reads 1,800,000 instructions, 3,000,000 cycles and 12,000 mispredicted branches back',
    );
  });
});

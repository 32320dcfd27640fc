import {
  type CertCheck,
  createStrategy,
  faultInjectionCheck,
  isBrokenStrategy,
  isKnownStrategy,
  sharedFdCheck,
  strategySource,
  UnknownStrategyError,
} from '@pfmsim/buffer-strategies';
import type { Machine } from '../machines.js';
import { cyclesCheck, floodCheck, raceCheck, type SystemCheckOptions, stackCheck } from './system-checks.js';

/** The checks of a certificate, in the order they run and print. */
export const CHECK_IDS = [
  'conformance',
  'shared-fd',
  'race',
  'faults',
  'attacks',
  'stack',
  'cycles',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface CertifyOptions {
  /** A registered strategy: a built-in or one a plugin added. */
  strategy: string;
  machine: Machine;
  seed?: number;
  /** Exhaustive exploration bound. Default 3. */
  maxPreemptions?: number;
  /** Random schedules after each exhaustive search. Default 300. */
  randomSchedules?: number;
  attackContexts?: number;
  attackThreads?: number;
  /** Run only these checks (the certificate then says it is partial). */
  only?: readonly CheckId[];
  /**
   * The conformance suite differential against kmalloc. It lives with the scenario runner, a
   * layer above; without it the check is reported as skipped and the certificate as partial.
   */
  conformance?: (strategy: string) => CertCheck;
  /** `pfmsim` and the flags that load plugins, for replay commands. Default `pfmsim`. */
  cli?: string;
  /** Flags that select the machine, for replay commands. Default `--machine <id>`. */
  machineArgs?: string;
  /** Called before each check runs. */
  onCheck?: (id: CheckId, index: number, total: number) => void;
}

export type CertificateVerdict = 'certified' | 'not certified' | 'partial';

export interface Certificate {
  readonly strategy: string;
  /** `built-in`, or the plugin it came from. */
  readonly source: string;
  /** Registered as deliberately broken (a teaching example). */
  readonly broken: boolean;
  readonly description: string;
  readonly pinnedFormula: string;
  readonly stackFootprint: string;
  readonly machine: string;
  readonly seed: number;
  readonly checks: readonly CertCheck[];
  readonly failed: readonly string[];
  readonly verdict: CertificateVerdict;
}

/**
 * Everything a built-in strategy goes through, for any registered strategy: the conformance
 * suite, shared-fd exploration in the strategy lab and in the perfmon2 core, fault injection
 * with the leak check, the pinning attacks, the stack report on every arch and cycles at
 * 1..64 registers. Deterministic for a seed.
 */
export function certify(opts: CertifyOptions): Certificate {
  if (!isKnownStrategy(opts.strategy)) throw new UnknownStrategyError(opts.strategy);
  const name = opts.strategy;
  const seed = opts.seed ?? 1;
  const cli = opts.cli ?? 'pfmsim';
  const machineArgs = opts.machineArgs ?? `--machine ${opts.machine.id}`;
  const sys: SystemCheckOptions = { strategy: name, machine: opts.machine, seed, cli, machineArgs };
  const maxPreemptions = opts.maxPreemptions ?? 3;
  const randomSchedules = opts.randomSchedules ?? 300;
  const factory = () => createStrategy(name);
  const certifyCmd = `${cli} certify ${name} ${machineArgs} --seed ${seed}`;
  const run: Record<CheckId, () => CertCheck> = {
    conformance: () =>
      opts.conformance?.(name) ??
      skipped('conformance', 'the conformance suite differential against kmalloc'),
    'shared-fd': () =>
      sharedFdCheck(factory, {
        maxPreemptions,
        randomSchedules,
        seed,
        replayCommand: (r) => `${certifyCmd} --only shared-fd --replay ${r}`,
      }),
    race: () => raceCheck(sys, { maxPreemptions, randomSchedules, threads: 2 }),
    faults: () => faultInjectionCheck(factory, { replay: `${certifyCmd} --only faults` }),
    attacks: () =>
      floodCheck(sys, { contexts: opts.attackContexts ?? 1024, threads: opts.attackThreads ?? 256 }),
    stack: () => stackCheck(sys),
    cycles: () => cyclesCheck(sys),
  };
  const ids = CHECK_IDS.filter((id) => opts.only === undefined || opts.only.includes(id));
  const checks = ids.map((id, i) => {
    opts.onCheck?.(id, i, ids.length);
    return run[id]();
  });
  const failed = checks.filter((c) => c.status === 'fail').map((c) => c.id);
  const incomplete =
    ids.length < CHECK_IDS.length || checks.some((c) => c.status === 'partial' || c.status === 'skipped');
  const strategy = factory();
  return {
    strategy: name,
    source: strategySource(name) ?? 'unknown',
    broken: isBrokenStrategy(name),
    description: strategy.description,
    pinnedFormula: strategy.pinnedFormula,
    stackFootprint: strategy.stackFootprint,
    machine: opts.machine.id,
    seed,
    checks,
    failed,
    verdict: failed.length > 0 ? 'not certified' : incomplete ? 'partial' : 'certified',
  };
}

function skipped(id: string, title: string): CertCheck {
  return {
    id,
    title,
    status: 'skipped',
    summary: 'not run here: it needs the scenario runner (pfmsim certify runs it)',
    figures: {},
    problems: [],
    moreProblems: 0,
    replay: [],
  };
}

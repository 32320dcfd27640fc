import { InvalidArgumentError } from '@pfmsim/kernel-sim';

/** A machine = arch + CPU cost profile + PMU model. */
export interface Machine {
  readonly id: string;
  readonly arch: string;
  readonly cost: string;
  readonly pmu: string;
  readonly description: string;
  readonly note?: string;
}

export const MACHINES: readonly Machine[] = [
  {
    id: 'p4-2006',
    arch: 'i386',
    cost: 'p4-2006',
    pmu: 'intel-p4',
    description: 'Pentium 4 3 GHz, i386 (8 KiB stacks), 2006',
  },
  {
    id: 'p4-2006-4k',
    arch: 'i386-4k',
    cost: 'p4-2006',
    pmu: 'intel-p4',
    description: 'Pentium 4, i386 with CONFIG_4KSTACKS',
  },
  {
    id: 'core2-2007',
    arch: 'x86_64',
    cost: 'core2-2007',
    pmu: 'intel-core',
    description: 'Core 2 (Xeon E5345 class), x86_64, 2007',
  },
  {
    id: 'k8-2006',
    arch: 'x86_64',
    cost: 'k8-2006',
    pmu: 'amd64-k8',
    description: 'AMD K8 2.0 GHz, x86_64, 2006',
  },
  {
    id: 'itanium2-2006',
    arch: 'ia64',
    cost: 'itanium2-2006',
    pmu: 'itanium2',
    description: 'Itanium 2 (McKinley), 16 KiB pages, 2006',
    note: 'only the allocator figures are Itanium measurements; the rest are borrowed from k8-2006',
  },
  {
    id: 'power5-2006',
    arch: 'ppc64',
    cost: 'k8-2006',
    pmu: 'power5',
    description: 'IBM POWER5, ppc64 (16 KiB stacks), 2006',
    note: 'no POWER5 cost figures exist in the cost reference: k8-2006 figures stand in (UNVERIFIED)',
  },
  {
    id: 'modern',
    arch: 'x86_64-16k',
    cost: 'modern-x86_64',
    pmu: 'intel-arch-perfmon',
    description: 'modern x86-64 (2015-2023), 16 KiB stacks, SLUB',
  },
  {
    id: 'modern-mitigated',
    arch: 'x86_64-16k',
    cost: 'modern-x86_64-mitigated',
    pmu: 'intel-arch-perfmon',
    description: 'modern x86-64 with retpolines + SRSO safe RET',
  },
];

export const DEFAULT_MACHINE = 'p4-2006';

/** The closest of `choices` to `value` by edit distance, for "did you mean" suggestions. */
export function closest(value: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Number.POSITIVE_INFINITY;
  for (const c of choices) {
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return bestDist <= Math.max(3, Math.floor(value.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

export class UnknownMachineError extends InvalidArgumentError {
  constructor(value: string) {
    const ids = MACHINES.map((m) => m.id);
    const hint = closest(value, ids);
    super('machine', value, `${ids.join(', ')}${hint ? `; did you mean "${hint}"?` : ''}`);
  }
}

export function getMachine(id: string): Machine {
  const m = MACHINES.find((x) => x.id === id);
  if (!m) throw new UnknownMachineError(id);
  return m;
}

/** A preset, or a custom arch/cpu/pmu combination (each part overriding the preset's). */
export function resolveMachine(opts: {
  machine?: string;
  arch?: string;
  cpu?: string;
  pmu?: string;
}): Machine {
  const base = getMachine(opts.machine ?? DEFAULT_MACHINE);
  if (opts.arch === undefined && opts.cpu === undefined && opts.pmu === undefined) return base;
  const m = { arch: opts.arch ?? base.arch, cost: opts.cpu ?? base.cost, pmu: opts.pmu ?? base.pmu };
  return { id: `${m.arch}/${m.cost}/${m.pmu}`, ...m, description: `custom: ${m.arch}, ${m.cost}, ${m.pmu}` };
}

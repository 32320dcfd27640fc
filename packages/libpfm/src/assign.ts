/**
 * Counter assignment: libpfm's greedy passes, an exhaustive search, and an explanation when
 * no assignment exists.
 *
 * Each event has a list of candidate {@link Slot}s in preference order: a counter (PMD index)
 * and, on the P4, the ESCR that feeds it. A valid assignment gives every event one slot with
 * no counter and no ESCR used twice, and passes the PMU's global rule (`accept`, e.g. the
 * Itanium 2 cache-group placement rules).
 *
 * The search is a backtracking over candidate slots. At every node a max-flow over
 * event → [ESCR] → counter (unit capacities) checks that the events still pending can be
 * placed at all, so a branch with no completion is cut at once and the search never misses
 * an assignment that exists: it is exhaustive, and for pure counter constraints it never
 * backtracks more than one level.
 */

export interface Slot {
  /** PMD index of the counter. */
  readonly counter: number;
  /** An extra exclusive resource the slot uses (P4: the PMC index of the ESCR). */
  readonly escr?: number;
}

export type Assignment = readonly Slot[];

export interface SearchOptions {
  /**
   * `input`: place events in input order, candidates in listed order (the first assignment
   * found is then the lexicographically first, as libpfm's Itanium 2 loops find it).
   * `most-constrained` (default): always place next the pending event with the fewest free
   * candidates.
   */
  readonly order?: 'input' | 'most-constrained';
  /** A global rule checked on complete assignments. */
  readonly accept?: (assignment: Assignment) => boolean;
}

/* ------------------------------------------------------------------ max-flow */

class FlowGraph {
  readonly #head: number[] = [];
  readonly #to: number[] = [];
  readonly #cap: number[] = [];
  readonly #next: number[] = [];
  #nodes = 0;

  node(): number {
    this.#head.push(-1);
    return this.#nodes++;
  }

  edge(u: number, v: number, cap = 1): void {
    for (const [a, b, c] of [
      [u, v, cap],
      [v, u, 0],
    ] as const) {
      this.#to.push(b);
      this.#cap.push(c);
      this.#next.push(this.#head[a] ?? -1);
      this.#head[a] = this.#to.length - 1;
    }
  }

  /** Edmonds–Karp: augment along a shortest path (breadth-first) until there is none. */
  maxFlow(s: number, t: number): number {
    let flow = 0;
    for (;;) {
      // The edge each node was reached by. The source needs none: a path walked back from
      // the sink stops there.
      const via = new Map<number, number>();
      const queue = [s];
      for (const u of queue) {
        for (let e = this.#head[u] as number; e !== -1; e = this.#next[e] as number) {
          const v = this.#to[e] as number;
          if (!via.has(v) && (this.#cap[e] as number) > 0) {
            via.set(v, e);
            queue.push(v);
          }
        }
      }
      if (!via.has(t)) return flow;
      for (let v = t; v !== s; ) {
        const e = via.get(v) as number;
        this.#cap[e] = (this.#cap[e] as number) - 1;
        this.#cap[e ^ 1] = (this.#cap[e ^ 1] as number) + 1;
        v = this.#to[e ^ 1] as number;
      }
      flow++;
    }
  }
}

/**
 * True when every event of `pending` can get a slot passing `usable`, with no counter and no
 * ESCR shared. The ESCR → counter edges are the union over all events; on the P4 an ESCR
 * reaches the same counters whichever event uses it, so the test is exact there.
 */
export function canPlaceAll(
  pending: readonly number[],
  candidates: readonly (readonly Slot[])[],
  usable: (slot: Slot) => boolean = () => true,
): boolean {
  const g = new FlowGraph();
  const s = g.node();
  const t = g.node();
  const counterIn = new Map<number, number>();
  const escrIn = new Map<number, number>();
  const escrOut = new Map<number, number>();
  const counter = (c: number): number => {
    let id = counterIn.get(c);
    if (id === undefined) {
      id = g.node();
      const out = g.node();
      g.edge(id, out);
      g.edge(out, t);
      counterIn.set(c, id);
    }
    return id;
  };
  const escr = (x: number): [number, number] => {
    let id = escrIn.get(x);
    if (id === undefined) {
      id = g.node();
      const out = g.node();
      g.edge(id, out);
      escrIn.set(x, id);
      escrOut.set(x, out);
    }
    return [id, escrOut.get(x) as number];
  };
  for (const i of pending) {
    const ev = g.node();
    g.edge(s, ev);
    const targets = new Set<number>();
    for (const slot of candidates[i] ?? []) {
      if (!usable(slot)) continue;
      if (slot.escr === undefined) {
        targets.add(counter(slot.counter));
      } else {
        const [inNode, outNode] = escr(slot.escr);
        targets.add(inNode);
        // A parallel edge (another event using the same ESCR for this counter) changes no
        // flow: the ESCR and the counter each pass one unit.
        g.edge(outNode, counter(slot.counter));
      }
    }
    for (const target of targets) g.edge(ev, target);
  }
  return g.maxFlow(s, t) === pending.length;
}

/* ------------------------------------------------------------------ search */

function sameSlot(a: Slot, b: Slot): boolean {
  return a.counter === b.counter && a.escr === b.escr;
}

/** True when `assignment` gives each event one of its candidates with nothing shared. */
export function isValidAssignment(
  assignment: readonly (Slot | undefined)[],
  candidates: readonly (readonly Slot[])[],
  accept?: (assignment: Assignment) => boolean,
): assignment is Assignment {
  if (assignment.length !== candidates.length) return false;
  const counters = new Set<number>();
  const escrs = new Set<number>();
  for (let i = 0; i < assignment.length; i++) {
    const slot = assignment[i];
    if (slot === undefined || !(candidates[i] ?? []).some((c) => sameSlot(c, slot))) return false;
    if (counters.has(slot.counter)) return false;
    counters.add(slot.counter);
    if (slot.escr !== undefined) {
      if (escrs.has(slot.escr)) return false;
      escrs.add(slot.escr);
    }
  }
  return accept === undefined || accept(assignment as Assignment);
}

/** Exhaustive backtracking search; undefined when no valid assignment exists. */
export function searchAssignment(
  candidates: readonly (readonly Slot[])[],
  options: SearchOptions = {},
): Slot[] | undefined {
  const n = candidates.length;
  const assignment: (Slot | undefined)[] = new Array(n).fill(undefined);
  const usedCounters = new Set<number>();
  // Never holds undefined: a slot without an ESCR only takes its counter.
  const usedEscrs = new Set<number | undefined>();
  const pending = new Set<number>(Array.from({ length: n }, (_, i) => i));
  const free = (slot: Slot): boolean => !usedCounters.has(slot.counter) && !usedEscrs.has(slot.escr);
  const mostConstrained = (options.order ?? 'most-constrained') === 'most-constrained';

  const pick = (): number => {
    let best = -1;
    let bestFree = Number.POSITIVE_INFINITY;
    for (const i of pending) {
      const count = mostConstrained ? (candidates[i] ?? []).filter(free).length : i;
      if (count < bestFree || (count === bestFree && i < best)) {
        best = i;
        bestFree = count;
      }
    }
    return best;
  };

  const dfs = (): boolean => {
    if (pending.size === 0) return options.accept === undefined || options.accept(assignment as Slot[]);
    if (!canPlaceAll([...pending], candidates, free)) return false;
    const i = pick();
    pending.delete(i);
    for (const slot of candidates[i] ?? []) {
      if (!free(slot)) continue;
      assignment[i] = slot;
      usedCounters.add(slot.counter);
      if (slot.escr !== undefined) usedEscrs.add(slot.escr);
      if (dfs()) return true;
      usedCounters.delete(slot.counter);
      usedEscrs.delete(slot.escr);
      assignment[i] = undefined;
    }
    pending.add(i);
    return false;
  };

  return dfs() ? (assignment as Slot[]) : undefined;
}

/* ------------------------------------------------------------------ greedy */

export interface GreedyPass {
  /** Events placed by this pass, in order. Events already placed are skipped. */
  readonly events: readonly number[];
  /** Only slots passing this filter are tried. */
  readonly filter?: (slot: Slot) => boolean;
  /** An event this pass cannot place is left for a later pass instead of failing. */
  readonly optional?: boolean;
}

/** libpfm-style greedy passes: each event takes its first free candidate. */
export function greedyPasses(
  candidates: readonly (readonly Slot[])[],
  passes: readonly GreedyPass[],
): Slot[] | undefined {
  const assignment: (Slot | undefined)[] = new Array(candidates.length).fill(undefined);
  const usedCounters = new Set<number>();
  // Never holds undefined, as in searchAssignment.
  const usedEscrs = new Set<number | undefined>();
  for (const pass of passes) {
    for (const i of pass.events) {
      if (assignment[i] !== undefined) continue;
      const slot = (candidates[i] ?? []).find(
        (s) =>
          (pass.filter === undefined || pass.filter(s)) &&
          !usedCounters.has(s.counter) &&
          !usedEscrs.has(s.escr),
      );
      if (slot === undefined) {
        if (pass.optional) continue;
        return undefined;
      }
      assignment[i] = slot;
      usedCounters.add(slot.counter);
      if (slot.escr !== undefined) usedEscrs.add(slot.escr);
    }
  }
  return assignment.every((s) => s !== undefined) ? (assignment as Slot[]) : undefined;
}

/* ------------------------------------------------------------------ explanation */

/** "A", "A and B", "A, B and C". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * A Hall violator of the bipartite graph event → resource: a set of events whose resources
 * are fewer than the events. Undefined when every event can get a distinct resource.
 */
export function hallViolator(
  events: readonly number[],
  resources: (event: number) => readonly number[],
): { events: number[]; resources: number[] } | undefined {
  const matchOf = new Map<number, number>(); // resource -> event
  const adj = new Map<number, readonly number[]>(events.map((e) => [e, [...new Set(resources(e))]]));
  const tryAugment = (e: number, seen: Set<number>): boolean => {
    for (const r of adj.get(e) ?? []) {
      if (seen.has(r)) continue;
      seen.add(r);
      const owner = matchOf.get(r);
      if (owner === undefined || tryAugment(owner, seen)) {
        matchOf.set(r, e);
        return true;
      }
    }
    return false;
  };
  for (const e of events) {
    if (tryAugment(e, new Set())) continue;
    // Alternating search from the unmatched event e.
    const violatorEvents = new Set<number>([e]);
    const violatorResources = new Set<number>();
    const queue = [e];
    while (queue.length > 0) {
      const u = queue.shift() as number;
      for (const r of adj.get(u) ?? []) {
        if (violatorResources.has(r)) continue;
        violatorResources.add(r);
        // Every resource reached is matched (else e could be augmented), and to an event not
        // reached yet: an event is reached only through the one resource it is matched to.
        const owner = matchOf.get(r) as number;
        violatorEvents.add(owner);
        queue.push(owner);
      }
    }
    return {
      events: [...violatorEvents].sort((a, b) => a - b),
      resources: [...violatorResources].sort((a, b) => a - b),
    };
  }
  return undefined;
}

export interface ExplainContext {
  /** Display name of each event, by input position. */
  readonly names: readonly string[];
  /** Counters each event could use before unavailable registers were removed. */
  readonly staticCounters: readonly (readonly number[])[];
  /** Why a counter cannot be used (unavailable PMC), or undefined when it can. */
  readonly unavailableReason: (counter: number) => string | undefined;
  /** Display name of an ESCR (P4). */
  readonly escrName?: ((escr: number) => string) | undefined;
  /** What the PMU's global rule requires, for a failure no counter conflict explains. */
  readonly ruleText?: string | undefined;
}

function counterList(counters: readonly number[]): string {
  return `${counters.length === 1 ? 'counter' : 'counters'} ${joinAnd(counters.map(String))}`;
}

/** Why no assignment exists, naming the events involved. */
export function explainNoAssignment(
  candidates: readonly (readonly Slot[])[],
  ctx: ExplainContext,
): { detail: string; events: string[] } {
  const all = candidates.map((_, i) => i);
  const name = (i: number): string => ctx.names[i] ?? `#${i}`;
  for (const i of all) {
    if ((candidates[i] ?? []).length > 0) continue;
    const wanted = ctx.staticCounters[i] ?? [];
    if (wanted.length === 0)
      return { detail: `${name(i)} cannot be counted on any counter`, events: [name(i)] };
    const reasons = wanted.map((c) => ctx.unavailableReason(c)).filter((r): r is string => r !== undefined);
    const why = reasons.length > 0 ? `: ${joinAnd([...new Set(reasons)])}` : '';
    const verb = wanted.length === 1 ? 'which is' : 'all';
    return {
      detail: `${name(i)} can only use ${counterList(wanted)}, ${verb} unavailable${why}`,
      events: [name(i)],
    };
  }
  const byCounter = hallViolator(all, (i) => (candidates[i] ?? []).map((s) => s.counter));
  if (byCounter !== undefined) {
    const names = byCounter.events.map(name);
    // A violator has one event more than its counters, and at least one counter (an event
    // with no candidate was explained above): one counter means two events.
    if (byCounter.resources.length === 1) {
      return { detail: `${joinAnd(names)} both need counter ${byCounter.resources[0]}`, events: names };
    }
    return {
      detail: `${joinAnd(names)} compete for ${counterList(byCounter.resources)}`,
      events: names,
    };
  }
  const allEscr = all.every((i) => (candidates[i] ?? []).every((s) => s.escr !== undefined));
  const byEscr = allEscr
    ? hallViolator(all, (i) => (candidates[i] ?? []).map((s) => s.escr as number))
    : undefined;
  if (byEscr !== undefined) {
    const names = byEscr.events.map(name);
    const escrs = byEscr.resources.map((x) => ctx.escrName?.(x) ?? `pmc${x}`);
    // As for counters, one ESCR means two events.
    const what = escrs.length === 1 ? `both need ESCR ${escrs[0]}` : `compete for ESCRs ${joinAnd(escrs)}`;
    return { detail: `${joinAnd(names)} ${what}`, events: names };
  }
  const names = all.map(name);
  const rule = ctx.ruleText === undefined ? '' : ` (${ctx.ruleText})`;
  return {
    detail: `no placement of ${joinAnd(names)} satisfies the PMU's constraints${rule}`,
    events: names,
  };
}

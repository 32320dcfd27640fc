/**
 * `--update`: write what the reference strategy observed into the scenario file as the
 * expected results (`expect: {ret: N}` or `expect: {errno: NAME}`, `value:` for sysfs reads),
 * keeping comments and layout. Steps whose expectation is deliberately loose (`one_of`,
 * `by_strategy`, `ok`) are left alone, and so are concurrent steps under exploration.
 */
import { isMap } from 'yaml';
import type { LoadedScenario, Path } from './load.js';
import { writeFileAtomic } from './output.js';
import type { Step } from './schema.js';
import type { Observation } from './world.js';

function stepAt(sc: LoadedScenario, path: Path): Step | null {
  let node: unknown = sc.data;
  // a path no longer in the file leads nowhere (a scalar on the way is no step either)
  for (const p of path) node = (node as Record<string | number, unknown> | undefined)?.[p];
  return (node as Step | undefined) ?? null;
}

/** Rewrites the expectations in the document; returns how many steps changed. */
export function applyUpdate(sc: LoadedScenario, log: readonly Observation[]): number {
  const doc = sc.doc;
  if (!doc) return 0;
  let changed = 0;
  const seen = new Set<string>();
  for (const obs of log) {
    const key = JSON.stringify(obs.path);
    if (seen.has(key)) continue;
    seen.add(key);
    // under exploration, the concurrent steps and those after them depend on the schedule:
    // one (replayed) schedule's results are not every schedule's
    if (sc.data.explore && obs.path[0] !== 'steps') continue;
    const step = stepAt(sc, obs.path);
    if (!step) continue;
    const e = step.expect;
    if (e?.one_of || e?.by_strategy || e?.ok !== undefined) continue;
    let want: Record<string, unknown>;
    if (step.call !== undefined || step.sysfs_write !== undefined) {
      // a result is `ok N` or an errno name (showResult)
      want = obs.result.startsWith('ok ') ? { ret: Number(obs.result.slice(3)) } : { errno: obs.result };
    } else if (step.sysfs_read !== undefined) {
      // Stryker disable next-line MethodExpression: a read's text is JSON-quoted (both ends), an errno name has none
      want = obs.result.startsWith('"') ? { value: JSON.parse(obs.result) as string } : { errno: obs.result };
    } else continue;
    const current = { ret: e?.ret, errno: e?.errno, value: e?.value };
    const same =
      // Stryker disable next-line MethodExpression: want has exactly one key, so every = some
      Object.entries(want).every(([k, v]) => current[k as keyof typeof current] === v) &&
      Object.keys(current).every((k) => current[k as keyof typeof current] === undefined || k in want);
    if (same) continue;
    const expectPath = [...obs.path, 'expect'];
    const node = doc.getIn(expectPath);
    if (!isMap(node)) {
      doc.setIn(expectPath, doc.createNode(want, { flow: true }));
    } else {
      for (const k of ['ret', 'errno', 'value']) if (!(k in want)) doc.deleteIn([...expectPath, k]);
      for (const [k, v] of Object.entries(want)) doc.setIn([...expectPath, k], v);
    }
    changed++;
  }
  return changed;
}

/**
 * Writes the rewritten document whole or not at all, keeping the file's mode (the file a link
 * leads to: the link stays). Throws OutputError.
 */
export function writeUpdated(sc: LoadedScenario, path: string): void {
  if (!sc.doc) return;
  writeFileAtomic(path, sc.doc.toString({ lineWidth: 0 }));
}

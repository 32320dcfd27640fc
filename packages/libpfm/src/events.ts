/**
 * Event and unit-mask lookup with libpfm-3.10's rules (libpfm-and-tools.md §1.3,
 * `pfmlib_common.c`). Event descriptors are indexes into the model's event table; unit-mask
 * descriptors are indexes into the event's `unitMasks`. Every function is pure over a
 * {@link PmuModel} and throws {@link PfmError} with libpfm's code on failure.
 */
import type { PmuEvent, PmuModel, PmuUnitMask } from '@pfmsim/pmu-models';
import { PFMLIB_MAX_MASKS_PER_EVENT } from './constants.js';
import {
  PFMLIB_ERR_INVAL,
  PFMLIB_ERR_NOTFOUND,
  PFMLIB_ERR_NOTSUPP,
  PFMLIB_ERR_TOOMANY,
  PFMLIB_ERR_UMASK,
  PfmError,
} from './errors.js';
import { RegMask } from './regmask.js';
import { findLibpfmScheme } from './schemes.js';
import { strtoul } from './strtoul.js';

/** `pfmlib_event_t`: an event index, its unit-mask indexes and an optional privilege level. */
export interface PfmEvent {
  /** Index in the model's event table. */
  readonly event: number;
  /** Indexes into the event's unit masks; empty for an event without unit masks. */
  readonly unitMasks: readonly number[];
  /** Privilege levels (`PFM_PLM*`); 0 or absent means the default of the dispatch input. */
  readonly plm?: number;
}

const INT_MAX = 0x7fffffffn;

/** The event at `idx`, or INVAL (libpfm: index out of range). */
export function eventAt(model: PmuModel, idx: number): PmuEvent {
  const event = Number.isInteger(idx) ? model.events[idx] : undefined;
  if (event === undefined) {
    throw new PfmError(
      PFMLIB_ERR_INVAL,
      `event index ${idx} is out of range (${model.id} has ${model.events.length} events)`,
    );
  }
  return event;
}

/** Upper-case event name of an index that may be invalid (for messages). */
export function describeEvent(model: PmuModel, idx: number): string {
  const event = Number.isInteger(idx) ? model.events[idx] : undefined;
  return event === undefined ? `#${idx}` : event.name.toUpperCase();
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

/** Up to three names close to `wanted` (edit distance or substring), best first. */
export function suggestNames(wanted: string, names: readonly string[]): string[] {
  const w = wanted.toUpperCase();
  if (w === '') return [];
  const scored = names
    .map((name) => {
      const n = name.toUpperCase();
      const distance = levenshtein(w, n);
      const related = n.includes(w) || w.includes(n);
      return { name: n, score: related ? Math.min(distance, 1) : distance };
    })
    .filter((s) => s.score <= Math.max(2, Math.floor(w.length / 4)))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, 3);
}

function notFound(model: PmuModel, wanted: string): PfmError {
  const close = suggestNames(
    wanted,
    model.events.map((e) => e.name),
  );
  const hint = close.length === 0 ? '' : ` (did you mean ${close.join(', ')}?)`;
  return new PfmError(PFMLIB_ERR_NOTFOUND, `${wanted} is not a ${model.id} event${hint}`);
}

/**
 * `pfm_find_event_byname`: case-insensitive, exact on the full name, ignoring everything from
 * the first `:`. NOTFOUND on a miss.
 */
export function findEventByName(model: PmuModel, str: string): number {
  const wanted = str.split(':', 1)[0] as string;
  const name = wanted.toUpperCase();
  const index = model.events.findIndex((e) => e.name.toUpperCase() === name);
  if (index < 0) throw notFound(model, wanted);
  return index;
}

/**
 * `pfm_find_event_bycode`: the first event whose code (on its first counter) is `code`. On a
 * PMU with per-counter codes (`PFMLIB_MULT_CODE_EVENT`, MIPS64) the code of any counter the
 * event can use matches. NOTFOUND on a miss.
 */
export function findEventByCode(model: PmuModel, code: number | bigint): number {
  const wanted = BigInt(code);
  const perCounter = findLibpfmScheme(model.encoding.scheme)?.counterCodes;
  const index = model.events.findIndex((e) => {
    // Per-counter codes: PMUs with PFMLIB_MULT_CODE_EVENT (MIPS64).
    const codes = perCounter?.(e);
    if (codes !== undefined) return [...codes.values()].some((c) => BigInt(c) === wanted);
    return e.code === wanted;
  });
  if (index < 0)
    throw new PfmError(PFMLIB_ERR_NOTFOUND, `no ${model.id} event has code 0x${wanted.toString(16)}`);
  return index;
}

/**
 * `pfm_find_event_bycode_next`: the next event after index `start` with this code (codes may
 * repeat, e.g. Itanium 2's IA64_INST_RETIRED variants). NOTFOUND when there is none.
 */
export function findEventByCodeNext(model: PmuModel, code: number | bigint, start: number): number {
  const wanted = BigInt(code);
  const index = model.events.findIndex((e, i) => i > start && e.code === wanted);
  if (index >= 0) return index;
  throw new PfmError(
    PFMLIB_ERR_NOTFOUND,
    `no ${model.id} event after index ${start} has code 0x${wanted.toString(16)}`,
  );
}

/**
 * `pfm_find_event`: a string starting with a digit is parsed with `strtoul(..., 0)` (so `0xc0`
 * works) and looked up by code, first match; trailing characters or a value above INT_MAX
 * give INVAL. Anything else is looked up by name ({@link findEventByName}).
 */
export function findEvent(model: PmuModel, str: string): number {
  const first = str.charAt(0);
  if (first >= '0' && first <= '9') {
    const { value, end } = strtoul(str);
    if (end !== str.length) {
      throw new PfmError(
        PFMLIB_ERR_INVAL,
        `"${str}" is not a number (a digit-leading event is looked up by code)`,
      );
    }
    if (value > INT_MAX) throw new PfmError(PFMLIB_ERR_INVAL, `event code ${str} is larger than INT_MAX`);
    return findEventByCode(model, value);
  }
  return findEventByName(model, str);
}

function umaskNames(event: PmuEvent): string {
  return event.unitMasks.map((u) => u.name.toUpperCase()).join(', ');
}

function unknownUmask(event: PmuEvent, str: string): PfmError {
  const name = event.name.toUpperCase();
  const close = suggestNames(
    str,
    event.unitMasks.map((u) => u.name),
  );
  const hint = close.length === 0 ? '' : `; did you mean ${close.join(', ')}?`;
  return new PfmError(
    PFMLIB_ERR_UMASK,
    `${name} has no unit mask "${str}" (valid: ${umaskNames(event)})${hint}`,
    { events: [name] },
  );
}

/** `pfm_do_find_event_mask`: a name (case-insensitive) or an exact numeric value; UMASK otherwise. */
function doFindEventMask(event: PmuEvent, str: string): number | undefined {
  if (str === '') return undefined;
  const upper = str.toUpperCase();
  const byName = event.unitMasks.findIndex(
    (u) => u.name.toUpperCase() === upper || u.aliases.some((a) => a.toUpperCase() === upper),
  );
  if (byName >= 0) return byName;
  const { value, end } = strtoul(str);
  // libpfm's unit-mask codes are 32-bit: the ULONG_MAX of a "-1" or an overflow matches none.
  if (end === str.length) {
    const byValue = event.unitMasks.findIndex((u) => u.value === value);
    if (byValue >= 0) return byValue;
  }
  return undefined;
}

/** `pfm_find_event_mask`: the unit-mask index for a name or exact value. INVAL, UMASK. */
export function findEventMask(model: PmuModel, idx: number, str: string): number {
  const event = eventAt(model, idx);
  const found = doFindEventMask(event, str);
  if (found === undefined) throw unknownUmask(event, str);
  return found;
}

/**
 * `pfm_add_numeric_masks`: split a number into every unit mask whose bits it contains; the
 * bits must be covered exactly. Appends to `masks` (duplicates ignored) or throws UMASK
 * (TOOMANY when the 48-mask limit stopped the split). `str` is never empty: the caller
 * rejects an empty part first.
 */
function addNumericMasks(event: PmuEvent, str: string, masks: number[]): void {
  const { value, end } = strtoul(str);
  if (end !== str.length) throw unknownUmask(event, str);
  const added: number[] = [];
  let covered = 0n;
  let error: number = PFMLIB_ERR_UMASK;
  for (let i = 0; i < event.unitMasks.length; i++) {
    const code = (event.unitMasks[i] as PmuUnitMask).value;
    if ((value & code) !== code) continue;
    if (!masks.includes(i) && !added.includes(i)) {
      if (masks.length + added.length === PFMLIB_MAX_MASKS_PER_EVENT) {
        error = PFMLIB_ERR_TOOMANY;
        break;
      }
      added.push(i);
    }
    covered |= code;
  }
  if (value === covered) {
    masks.push(...added);
    return;
  }
  if (error === PFMLIB_ERR_TOOMANY) {
    throw new PfmError(
      PFMLIB_ERR_TOOMANY,
      `${event.name.toUpperCase()}: more than ${PFMLIB_MAX_MASKS_PER_EVENT} unit masks`,
      { events: [event.name.toUpperCase()] },
    );
  }
  throw new PfmError(
    PFMLIB_ERR_UMASK,
    `${str} is neither a unit mask of ${event.name.toUpperCase()} nor a combination of them (valid: ${umaskNames(event)})`,
    { events: [event.name.toUpperCase()] },
  );
}

/**
 * `pfm_find_full_event`: `EVENT[:UMASK1[:UMASK2...]]`. The event is found by name; each unit
 * mask is a name (case-insensitive), an exact value, or a number split into the unit masks
 * whose bits it covers exactly (with M1 = 0x1 and M2 = 0x40, `A:M1:M2` = `A:M1:0x40` =
 * `A:0x41`). Duplicates are ignored. UMASK for a unit mask on an event without any, an event
 * with unit masks given none (no model has default unit masks), a trailing `:` or an unknown
 * unit mask; TOOMANY beyond 48 unit masks.
 */
export function findFullEvent(model: PmuModel, str: string): PfmEvent {
  const index = findEventByName(model, str);
  const event = model.events[index] as PmuEvent;
  const name = event.name.toUpperCase();
  const available = event.unitMasks.length;
  const parts = str.split(':').slice(1);
  if (available === 0) {
    if (parts.length === 0) return { event: index, unitMasks: [] };
    throw new PfmError(PFMLIB_ERR_UMASK, `${name} has no unit masks, "${str}" gives one`, { events: [name] });
  }
  if (parts.length === 0) {
    throw new PfmError(PFMLIB_ERR_UMASK, `${name} needs a unit mask (one or more of: ${umaskNames(event)})`, {
      events: [name],
    });
  }
  if (parts.length === 1 && parts[0] === '') {
    throw new PfmError(PFMLIB_ERR_UMASK, `"${str}" ends with ':' but names no unit mask`, { events: [name] });
  }
  const masks: number[] = [];
  for (const part of parts) {
    const found = doFindEventMask(event, part);
    if (found === undefined) {
      if (part === '') {
        throw new PfmError(PFMLIB_ERR_UMASK, `"${str}" has an empty unit mask`, { events: [name] });
      }
      addNumericMasks(event, part, masks);
      continue;
    }
    if (masks.includes(found)) continue;
    if (masks.length === PFMLIB_MAX_MASKS_PER_EVENT) {
      throw new PfmError(PFMLIB_ERR_TOOMANY, `${name}: more than ${PFMLIB_MAX_MASKS_PER_EVENT} unit masks`, {
        events: [name],
      });
    }
    masks.push(found);
  }
  return { event: index, unitMasks: masks };
}

/**
 * `__pfm_check_event`: a valid index (INVAL), no unit mask on an event without any, every
 * unit-mask index in range and at least one unit mask on an event that has some (UMASK). A
 * list longer than 48 gives TOOMANY (libpfm's fixed array cannot hold it).
 */
export function checkEvent(model: PmuModel, e: PfmEvent): PmuEvent {
  const event = eventAt(model, e.event);
  const name = event.name.toUpperCase();
  const masks = e.unitMasks ?? [];
  if (masks.length > PFMLIB_MAX_MASKS_PER_EVENT) {
    throw new PfmError(
      PFMLIB_ERR_TOOMANY,
      `${name}: ${masks.length} unit masks, at most ${PFMLIB_MAX_MASKS_PER_EVENT}`,
      {
        events: [name],
      },
    );
  }
  const n = event.unitMasks.length;
  if (n === 0 && masks.length > 0) {
    throw new PfmError(PFMLIB_ERR_UMASK, `${name} has no unit masks`, { events: [name] });
  }
  for (const m of masks) {
    if (!Number.isInteger(m) || m < 0 || m >= n) {
      throw new PfmError(PFMLIB_ERR_UMASK, `${name} has no unit mask index ${m} (it has ${n})`, {
        events: [name],
      });
    }
  }
  if (n > 0 && masks.length === 0) {
    throw new PfmError(PFMLIB_ERR_UMASK, `${name} needs a unit mask (one or more of: ${umaskNames(event)})`, {
      events: [name],
    });
  }
  return event;
}

/** `pfm_get_event_name`: the name in upper case. */
export function getEventName(model: PmuModel, idx: number): string {
  return eventAt(model, idx).name.toUpperCase();
}

/** `pfm_get_full_event_name`: `NAME:UMASK1:UMASK2`, upper case, after {@link checkEvent}. */
export function getFullEventName(model: PmuModel, e: PfmEvent): string {
  const event = checkEvent(model, e);
  return [event.name, ...e.unitMasks.map((m) => (event.unitMasks[m] as PmuUnitMask).name)]
    .join(':')
    .toUpperCase();
}

/** `pfm_get_event_description`; "no description available" when the model has none. */
export function getEventDescription(model: PmuModel, idx: number): string {
  const text = eventAt(model, idx).description;
  return text === '' ? 'no description available' : text;
}

/** `pfm_get_event_code`: the code on the event's first counter. */
export function getEventCode(model: PmuModel, idx: number): number {
  return Number(eventAt(model, idx).code);
}

/**
 * `pfm_get_event_code_counter`: the code the event has on counter `cnt`. INVAL for a counter
 * the PMU does not implement, and on PMUs whose code depends on the counter (MIPS64) or whose
 * events are tied to counters by their registers (P4) also for a counter the event cannot use.
 */
export function getEventCodeCounter(model: PmuModel, idx: number, cnt: number): number {
  const event = eventAt(model, idx);
  if (!model.counterPmds.includes(cnt)) {
    throw new PfmError(PFMLIB_ERR_INVAL, `${model.id} has no counter ${cnt}`);
  }
  const scheme = findLibpfmScheme(model.encoding.scheme);
  const codes = scheme?.counterCodes?.(event);
  if (codes !== undefined) {
    const code = codes.get(cnt);
    if (code === undefined) {
      throw new PfmError(PFMLIB_ERR_INVAL, `${event.name.toUpperCase()} cannot be counted on counter ${cnt}`);
    }
    return code;
  }
  if (scheme?.codeNeedsCounter === true && !event.counters.includes(cnt)) {
    throw new PfmError(PFMLIB_ERR_INVAL, `${event.name.toUpperCase()} cannot be counted on counter ${cnt}`);
  }
  return Number(event.code);
}

/**
 * `pfm_get_event_counters`: every counter that can count the event with some unit mask: its
 * generic counters, its fixed counter, and those of each unit mask.
 */
export function getEventCounters(model: PmuModel, idx: number): RegMask {
  const event = eventAt(model, idx);
  const mask = RegMask.from(event.counters);
  if (event.fixed !== undefined) mask.set(event.fixed.pmd);
  for (const u of event.unitMasks) {
    for (const c of u.counters ?? []) mask.set(c);
    if (u.fixed !== undefined) mask.set(u.fixed.pmd);
  }
  return mask;
}

/** `pfm_get_num_event_masks`. */
export function getNumEventMasks(model: PmuModel, idx: number): number {
  return eventAt(model, idx).unitMasks.length;
}

function maskAt(model: PmuModel, idx: number, mask: number): PmuUnitMask {
  const event = eventAt(model, idx);
  if (event.unitMasks.length === 0) {
    throw new PfmError(PFMLIB_ERR_NOTSUPP, `${event.name.toUpperCase()} has no unit masks`);
  }
  const found = Number.isInteger(mask) ? event.unitMasks[mask] : undefined;
  if (found === undefined) {
    throw new PfmError(
      PFMLIB_ERR_INVAL,
      `${event.name.toUpperCase()} has no unit mask index ${mask} (it has ${event.unitMasks.length})`,
    );
  }
  return found;
}

/** `pfm_get_event_mask_name`: upper case; NOTSUPP for an event without unit masks. */
export function getEventMaskName(model: PmuModel, idx: number, mask: number): string {
  return maskAt(model, idx, mask).name.toUpperCase();
}

/** `pfm_get_event_mask_code`: the unit-mask value. */
export function getEventMaskCode(model: PmuModel, idx: number, mask: number): number {
  return Number(maskAt(model, idx, mask).value);
}

/** `pfm_get_event_mask_description`; "no description available" when the model has none. */
export function getEventMaskDescription(model: PmuModel, idx: number, mask: number): string {
  const text = maskAt(model, idx, mask).description;
  return text === '' ? 'no description available' : text;
}

/**
 * `pfm_get_max_event_name_len`: the longest event name plus, for each of its unit masks,
 * 1 + its length (unit masks may be combined), over the whole table.
 */
export function getMaxEventNameLen(model: PmuModel): number {
  let max = 0;
  for (const e of model.events) {
    const len = e.unitMasks.reduce((sum, u) => sum + 1 + u.name.length, e.name.length);
    max = Math.max(max, len);
  }
  return max;
}

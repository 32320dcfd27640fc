/**
 * The scheme registry. It is process-wide, so the schemes registered here have names no
 * other test uses, and expectations about the listing allow for schemes added elsewhere.
 */
import { describe, expect, it } from 'vitest';
import type { PmuModel } from '../model.js';
import { getModel } from '../registry.js';
import { ia64PmcScheme } from './ia64-pmc.js';
import { mips64CtrlScheme } from './mips64-ctrl.js';
import { p4EscrCccrScheme } from './p4-escr-cccr.js';
import { power5MmcrScheme } from './power5-mmcr.js';
import {
  BUILTIN_SCHEMES,
  findScheme,
  listSchemes,
  registerScheme,
  SchemeRegistrationError,
  schemeOf,
} from './registry.js';
import type { PmuScheme } from './scheme.js';
import { x86EvtSelScheme } from './x86-evtsel.js';

const BUILTIN_NAMES = ['x86-evtsel', 'p4-escr-cccr', 'ia64-pmc', 'power5-mmcr', 'mips64-ctrl'];

/** A scheme under another name (x86-evtsel's behaviour). */
const named = (name: string): PmuScheme => ({ ...x86EvtSelScheme, name });

/** What `fn` throws, as name, class and message. */
function thrown(fn: () => void): { name: string; registration: boolean; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as Error;
    return { name: e.name, registration: e instanceof SchemeRegistrationError, message: e.message };
  }
  throw new Error('did not throw');
}

describe('the built-in schemes', () => {
  it('are the five encoding schemes, in listing order', () => {
    expect(BUILTIN_SCHEMES).toEqual([
      x86EvtSelScheme,
      p4EscrCccrScheme,
      ia64PmcScheme,
      power5MmcrScheme,
      mips64CtrlScheme,
    ]);
    expect(BUILTIN_SCHEMES.map((s) => s.name)).toEqual(BUILTIN_NAMES);
    expect(BUILTIN_SCHEMES[0]).toBe(x86EvtSelScheme);
    expect(BUILTIN_SCHEMES[4]).toBe(mips64CtrlScheme);
  });

  it('are listed first, in that order', () => {
    expect(listSchemes().slice(0, 5)).toEqual(BUILTIN_NAMES);
  });

  it('are found by name', () => {
    expect(BUILTIN_NAMES.map((n) => findScheme(n))).toEqual([...BUILTIN_SCHEMES]);
    expect(findScheme('power5-mmcr')).toBe(power5MmcrScheme);
    expect(findScheme('p4-escr-cccr')).toBe(p4EscrCccrScheme);
  });

  it('are all written against interface version 1', () => {
    expect(BUILTIN_SCHEMES.map((s) => s.apiVersion)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('findScheme', () => {
  it('is undefined for a name nobody registered', () => {
    expect(findScheme('no-such-scheme')).toBeUndefined();
    expect(findScheme('')).toBeUndefined();
    expect(findScheme('X86-EVTSEL')).toBeUndefined();
  });
});

describe('schemeOf', () => {
  it('gives the scheme a model names', () => {
    expect(schemeOf(getModel('intel-core'))).toBe(x86EvtSelScheme);
    expect(schemeOf(getModel('intel-p4'))).toBe(p4EscrCccrScheme);
    expect(schemeOf(getModel('montecito'))).toBe(ia64PmcScheme);
    expect(schemeOf(getModel('power5'))).toBe(power5MmcrScheme);
    expect(schemeOf(getModel('mips64'))).toBe(mips64CtrlScheme);
  });

  it('throws, naming the model, its scheme and the known schemes, for an unregistered scheme', () => {
    const core = getModel('intel-core');
    const model: PmuModel = {
      ...core,
      id: 'odd-pmu',
      encoding: { ...core.encoding, scheme: 'odd-scheme' },
    };
    const known = [...BUILTIN_NAMES, ...listSchemes().slice(5)].join(', ');
    expect(thrown(() => schemeOf(model))).toEqual({
      name: 'Error',
      registration: false,
      message: `odd-pmu: encoding scheme odd-scheme is not registered (known: ${known})`,
    });
  });
});

describe('registerScheme', () => {
  it('adds a scheme that is then found and listed after the built-ins', () => {
    const a = named('test-reg-a');
    expect(findScheme('test-reg-a')).toBeUndefined();
    registerScheme(a);
    expect(findScheme('test-reg-a')).toBe(a);
    expect(listSchemes().slice(0, 5)).toEqual(BUILTIN_NAMES);
    expect(listSchemes().indexOf('test-reg-a')).toBeGreaterThanOrEqual(5);
    expect(listSchemes().filter((n) => n === 'test-reg-a')).toEqual(['test-reg-a']);
  });

  it('accepts a one-word name and a name of several words and digits', () => {
    const b = named('testregb');
    const c = named('test-reg-c1-2x');
    registerScheme(b);
    registerScheme(c);
    expect([findScheme('testregb'), findScheme('test-reg-c1-2x')]).toEqual([b, c]);
    expect(findScheme('testregb')).toBe(b);
    expect(findScheme('test-reg-c1-2x')).toBe(c);
  });

  it('a model naming a newly registered scheme gets it', () => {
    const d = named('test-reg-d');
    registerScheme(d);
    const core = getModel('intel-core');
    expect(schemeOf({ ...core, encoding: { ...core.encoding, scheme: 'test-reg-d' } })).toBe(d);
  });

  it('registering the same object twice is a no-op, built-ins included', () => {
    const e = named('test-reg-e');
    registerScheme(e);
    const before = listSchemes();
    registerScheme(e);
    registerScheme(x86EvtSelScheme);
    registerScheme(mips64CtrlScheme);
    expect(listSchemes()).toEqual(before);
    expect(findScheme('test-reg-e')).toBe(e);
    expect(findScheme('x86-evtsel')).toBe(x86EvtSelScheme);
  });

  it('refuses another object under a taken name, and keeps the first', () => {
    const f = named('test-reg-f');
    registerScheme(f);
    expect(thrown(() => registerScheme(named('test-reg-f')))).toEqual({
      name: 'SchemeRegistrationError',
      registration: true,
      message: 'scheme test-reg-f is already registered by another module',
    });
    expect(findScheme('test-reg-f')).toBe(f);
    expect(thrown(() => registerScheme({ ...power5MmcrScheme }))).toEqual({
      name: 'SchemeRegistrationError',
      registration: true,
      message: 'scheme power5-mmcr is already registered by another module',
    });
    expect(findScheme('power5-mmcr')).toBe(power5MmcrScheme);
  });

  it('refuses a scheme written against another interface version', () => {
    const old = { ...named('test-reg-old'), apiVersion: 2 } as unknown as PmuScheme;
    expect(thrown(() => registerScheme(old))).toEqual({
      name: 'SchemeRegistrationError',
      registration: true,
      message:
        'scheme test-reg-old implements scheme interface version 2; this pmu-models supports version 1',
    });
    const none = { ...named('test-reg-none'), apiVersion: undefined } as unknown as PmuScheme;
    expect(thrown(() => registerScheme(none)).message).toBe(
      'scheme test-reg-none implements scheme interface version undefined; this pmu-models supports version 1',
    );
    expect([findScheme('test-reg-old'), findScheme('test-reg-none')]).toEqual([undefined, undefined]);
  });

  it('checks the version before the name', () => {
    const both = { ...named('Bad_Name'), apiVersion: 0 } as unknown as PmuScheme;
    expect(thrown(() => registerScheme(both)).message).toBe(
      'scheme Bad_Name implements scheme interface version 0; this pmu-models supports version 1',
    );
  });

  it.each([
    ['Bad_Name', '"Bad_Name"'],
    ['', '""'],
    ['-lead', '"-lead"'],
    ['trail-', '"trail-"'],
    ['two--dashes', '"two--dashes"'],
    ['Upper', '"Upper"'],
    ['lowerX', '"lowerX"'],
    ['with space', '"with space"'],
    ['x86_evtsel', '"x86_evtsel"'],
  ])('refuses the name %j', (name, shown) => {
    expect(thrown(() => registerScheme(named(name)))).toEqual({
      name: 'SchemeRegistrationError',
      registration: true,
      message: `scheme name ${shown} must be lower-case words joined by "-", e.g. "amd64-fam10h"`,
    });
    expect(findScheme(name)).toBeUndefined();
  });

  it('refuses a name that is not a string, even one that reads as a valid name', () => {
    const numeric = { ...x86EvtSelScheme, name: 123 } as unknown as PmuScheme;
    expect(thrown(() => registerScheme(numeric)).message).toBe(
      'scheme name 123 must be lower-case words joined by "-", e.g. "amd64-fam10h"',
    );
    expect(listSchemes()).not.toContain(123);
  });
});

describe('SchemeRegistrationError', () => {
  it('is an Error named after its class', () => {
    const e = new SchemeRegistrationError('m');
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.message]).toEqual(['SchemeRegistrationError', 'm']);
  });
});

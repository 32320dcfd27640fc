// The looks of the report's series: colour classes for a light and a dark scheme, marker shapes
// and dash patterns, so that no series is told apart by its colour alone.
import { beforeEach, describe, expect, it } from 'vitest';
import { markerPath, seriesColours, seriesCss, seriesStyle } from './palette.js';

describe('seriesColours', () => {
  it('has eight distinct hex colours per scheme, a different one per class in the dark scheme', () => {
    for (const scheme of [seriesColours().light, seriesColours().dark]) {
      expect(scheme).toHaveLength(8);
      expect(new Set(scheme).size).toBe(8);
      for (const c of scheme) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    }
    seriesColours().light.forEach((c, i) => {
      expect(seriesColours().dark[i]).not.toBe(c);
    });
  });

  it("starts with Okabe-Ito's colour-blind-safe blue, vermillion, bluish green and reddish purple", () => {
    expect(seriesColours().light.slice(0, 4)).toEqual(['#0072b2', '#d55e00', '#009e73', '#cc79a7']);
    expect(seriesColours().dark.slice(0, 2)).toEqual(['#56b4e9', '#ff8c4a']);
  });
});

describe('seriesStyle', () => {
  it('cycles the colour class every 8 series, the marker every 5 and the dash every 3', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17].map((i) => seriesStyle(i).colour)).toEqual([
      's0',
      's1',
      's2',
      's3',
      's4',
      's5',
      's6',
      's7',
      's0',
      's1',
      's1',
    ]);
    expect([0, 1, 2, 3, 4, 5, 6, 11].map((i) => seriesStyle(i).marker)).toEqual([
      'circle',
      'square',
      'triangle',
      'diamond',
      'cross',
      'circle',
      'square',
      'square',
    ]);
    expect([0, 1, 2, 3, 4, 5, 7].map((i) => seriesStyle(i).dash)).toEqual([
      '',
      '7 4',
      '2 3',
      '',
      '7 4',
      '2 3',
      '7 4',
    ]);
  });

  it('gives the first 120 series 120 different looks, then starts over', () => {
    const look = (i: number) => JSON.stringify(seriesStyle(i));
    const first = Array.from({ length: 120 }, (_, i) => look(i));
    expect(new Set(first).size).toBe(120);
    expect(look(120)).toBe(look(0));
    expect(look(121)).toBe(look(1));
    expect(seriesStyle(0)).toEqual({ colour: 's0', marker: 'circle', dash: '' });
    expect(seriesStyle(119)).toEqual({ colour: 's7', marker: 'cross', dash: '2 3' });
  });
});

describe('markerPath', () => {
  const FILLED = 'fill="currentColor"';
  const HOLLOW = 'fill="none" stroke="currentColor" stroke-width="1.5"';

  it('draws a circle of radius r centred on the point', () => {
    expect(markerPath('circle', 10, 20, 3)).toBe(`<circle cx="10" cy="20" r="3" ${FILLED}/>`);
    expect(markerPath('circle', 10, 20, 3, true)).toBe(`<circle cx="10" cy="20" r="3" ${HOLLOW}/>`);
  });

  it('draws a square 2r wide centred on the point', () => {
    expect(markerPath('square', 10, 20, 3)).toBe(`<rect x="7" y="17" width="6" height="6" ${FILLED}/>`);
    expect(markerPath('square', 10, 20, 3, true)).toBe(`<rect x="7" y="17" width="6" height="6" ${HOLLOW}/>`);
  });

  it('draws a triangle pointing up: apex 1.2 r above, base corners 1.1 r aside and 0.8 r below', () => {
    expect(markerPath('triangle', 10, 20, 3)).toBe(`<path d="M10,16.4L13.3,22.4L6.7,22.4Z" ${FILLED}/>`);
    expect(markerPath('triangle', 10, 20, 3, true)).toBe(
      `<path d="M10,16.4L13.3,22.4L6.7,22.4Z" ${HOLLOW}/>`,
    );
  });

  it('draws a diamond reaching 1.3 r up, right, down and left, in that order', () => {
    expect(markerPath('diamond', 10, 20, 3)).toBe(`<path d="M10,16.1L13.9,20L10,23.9L6.1,20Z" ${FILLED}/>`);
    expect(markerPath('diamond', 10, 20, 3, true)).toBe(
      `<path d="M10,16.1L13.9,20L10,23.9L6.1,20Z" ${HOLLOW}/>`,
    );
  });

  it('draws a cross of two stroked diagonals; a hollow one thin, in a ring', () => {
    expect(markerPath('cross', 10, 20, 3)).toBe(
      '<path d="M7,17L13,23M7,23L13,17" stroke="currentColor" stroke-width="2" fill="none"/>',
    );
    expect(markerPath('cross', 10, 20, 3, true)).toBe(
      '<path d="M7,17L13,23M7,23L13,17" stroke="currentColor" stroke-width="1" fill="none"/>' +
        '<circle cx="10" cy="20" r="4.5" fill="none" stroke="currentColor" stroke-width="1"/>',
    );
  });

  it('is filled unless asked for a hollow marker', () => {
    expect(markerPath('circle', 1, 2, 3, false)).toBe(markerPath('circle', 1, 2, 3));
    expect(markerPath('circle', 1, 2, 3)).not.toContain('stroke');
  });

  it('rounds every coordinate to a tenth', () => {
    expect(markerPath('circle', 1.26, 2.34, 2.56)).toBe(`<circle cx="1.3" cy="2.3" r="2.6" ${FILLED}/>`);
    // x - r = 8.77, y - r = 15.03, 2r = 4.46
    expect(markerPath('square', 11, 17.26, 2.23)).toBe(
      `<rect x="8.8" y="15" width="4.5" height="4.5" ${FILLED}/>`,
    );
    // 1.2 r = 2.4, 1.1 r = 2.2, 0.8 r = 1.6
    expect(markerPath('triangle', 0.04, 5, 2)).toBe(`<path d="M0,2.6L2.2,6.6L-2.2,6.6Z" ${FILLED}/>`);
    // 1.3 r = 2.6
    expect(markerPath('diamond', 5.56, 0, 2)).toBe(`<path d="M5.6,-2.6L8.2,0L5.6,2.6L3,0Z" ${FILLED}/>`);
    expect(markerPath('cross', 0.25, 0.25, 0.5)).toMatch(/^<path d="M-0.2,-0.2L0.8,0.8M-0.2,0.8L0.8,-0.2" /);
  });
});

describe('seriesCss', () => {
  const rules = (css: string) =>
    [...css.matchAll(/\.s(\d)\{color:(#[0-9a-f]{6})\}/g)].map((m) => [m[1], m[2]]);
  let css: string;
  beforeEach(() => {
    css = seriesCss();
  });
  const media = '@media (prefers-color-scheme:dark){';
  let at: number;
  beforeEach(() => {
    at = css.indexOf(media);
  });

  it('colours the classes .s0-.s7 in the light scheme outside any media query', () => {
    expect(at).toBeGreaterThan(0);
    const light = css.slice(0, at);
    expect(rules(light)).toEqual(seriesColours().light.map((c, i) => [String(i), c]));
    expect(light.startsWith('.s0{color:#0072b2}.s1{color:#d55e00}')).toBe(true);
    // nothing but the rules
    expect(light.replace(/\.s\d\{color:#[0-9a-f]{6}\}/g, '')).toBe('');
  });

  it('recolours them, lighter, inside the dark-scheme media query', () => {
    const dark = css.slice(at + media.length);
    expect(dark.endsWith('}}')).toBe(true);
    const inside = dark.slice(0, -1);
    expect(rules(inside)).toEqual(seriesColours().dark.map((c, i) => [String(i), c]));
    expect(inside).toContain('.s1{color:#ff8c4a}');
    expect(inside.replace(/\.s\d\{color:#[0-9a-f]{6}\}/g, '')).toBe('');
    expect(css.split('@media')).toHaveLength(2);
  });
});

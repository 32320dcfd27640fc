/**
 * How the report tells series apart without relying on colour alone: each series has a colour
 * class (Okabe-Ito's colour-blind-safe set, lighter in the dark scheme), a marker shape and a
 * dash pattern. The cycles are 8, 5 and 3 long, so no two of the first 120 series look alike.
 */

/** Colours of the series classes .s0-.s7 in the light scheme, then in the dark one. */
export function seriesColours(): { readonly light: readonly string[]; readonly dark: readonly string[] } {
  return {
    light: ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#b07c00', '#3a8fc7', '#6b6b6b', '#5d3a9b'],
    dark: ['#56b4e9', '#ff8c4a', '#33c9a0', '#e8a2cc', '#f0c000', '#9ad0f5', '#b8b8b8', '#b39ddb'],
  };
}

export type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';

export interface SeriesStyle {
  /** The colour class, "s0".."s7": marks draw in currentColor. */
  readonly colour: string;
  readonly marker: Marker;
  /** stroke-dasharray, or '' for a solid line. */
  readonly dash: string;
}

export function seriesStyle(index: number): SeriesStyle {
  const markers: readonly Marker[] = ['circle', 'square', 'triangle', 'diamond', 'cross'];
  const dashes = ['', '7 4', '2 3'];
  return {
    colour: `s${index % 8}`,
    marker: markers[index % markers.length]!,
    dash: dashes[index % dashes.length]!,
  };
}

function f(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

/**
 * A marker of radius r centred on (x, y) in the series' colour: filled, or (hollow) outlined for
 * values the report computed itself.
 */
export function markerPath(marker: Marker, x: number, y: number, r: number, hollow = false): string {
  const paint = hollow ? 'fill="none" stroke="currentColor" stroke-width="1.5"' : 'fill="currentColor"';
  switch (marker) {
    case 'circle':
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${f(r)}" ${paint}/>`;
    case 'square':
      return `<rect x="${f(x - r)}" y="${f(y - r)}" width="${f(2 * r)}" height="${f(2 * r)}" ${paint}/>`;
    case 'triangle':
      return `<path d="M${f(x)},${f(y - r * 1.2)}L${f(x + r * 1.1)},${f(y + r * 0.8)}L${f(x - r * 1.1)},${f(y + r * 0.8)}Z" ${paint}/>`;
    case 'diamond':
      return `<path d="M${f(x)},${f(y - r * 1.3)}L${f(x + r * 1.3)},${f(y)}L${f(x)},${f(y + r * 1.3)}L${f(x - r * 1.3)},${f(y)}Z" ${paint}/>`;
    case 'cross': {
      const cross = `<path d="M${f(x - r)},${f(y - r)}L${f(x + r)},${f(y + r)}M${f(x - r)},${f(y + r)}L${f(x + r)},${f(y - r)}" stroke="currentColor" stroke-width="${hollow ? 1 : 2}" fill="none"/>`;
      // a cross has no inside to leave empty: a computed one is thin, in a ring
      return hollow
        ? `${cross}<circle cx="${f(x)}" cy="${f(y)}" r="${f(r * 1.5)}" fill="none" stroke="currentColor" stroke-width="1"/>`
        : cross;
    }
  }
}

/** The CSS of the colour classes for both schemes (the report's stylesheet includes it). */
export function seriesCss(): string {
  const rules = (colours: readonly string[]) => colours.map((c, i) => `.s${i}{color:${c}}`).join('');
  const { light, dark } = seriesColours();
  return `${rules(light)}@media (prefers-color-scheme:dark){${rules(dark)}}`;
}

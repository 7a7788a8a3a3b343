/**
 * Sequential colour scales for attention weights. Whatever the scheme and theme, a scale starts near the
 * panel background and grows monotonically in intensity (L* distance from the background), so the largest
 * weight is always the most visible cell: on a dark theme the named schemes are flipped and clipped.
 */
import { interpolateLab } from 'd3-interpolate';
import { interpolateBlues, interpolateGreys, interpolateMagma, interpolateViridis } from 'd3-scale-chromatic';
import type { ColorScheme } from '../shared/protocol';
import { intensity, lightness, parseRgb, rgbCss, type Rgb } from './color';

/** The theme colours a scale is built against. */
export interface ScaleTheme {
  background: Rgb;
  /** Candidate accents; the one that stands out most from the background is used. */
  accents: readonly Rgb[];
  foreground: Rgb;
}

export interface ColorScale {
  readonly scheme: ColorScheme;
  /** 256 RGBA entries: index round(t * 255) for t in [0, 1]. The heatmaps fill pixels straight from it. */
  readonly lut: Uint8ClampedArray;
  rgbAt(t: number): Rgb;
  cssAt(t: number): string;
}

export const LUT_SIZE = 256;
/** An accent closer than this (in L*) to the background would make a washed-out scale. */
const MIN_ACCENT_DISTANCE = 30;
/** How much of a named scheme may be cut off at its low end to start near the background. */
const MAX_CLIP = 0.35;

const NAMED: Record<Exclude<ColorScheme, 'theme'>, (t: number) => string> = {
  blues: interpolateBlues,
  viridis: interpolateViridis,
  magma: interpolateMagma,
  greys: interpolateGreys,
};

export const COLOR_SCHEMES: readonly ColorScheme[] = ['theme', 'blues', 'viridis', 'magma', 'greys'];

export function createColorScale(scheme: ColorScheme, theme: ScaleTheme): ColorScale {
  const interpolate = scheme === 'theme' ? themeInterpolator(theme) : fitToBackground(NAMED[scheme], theme.background);
  const lut = new Uint8ClampedArray(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    const c = parseRgb(interpolate(i / (LUT_SIZE - 1)), theme.foreground);
    lut[i * 4] = c[0];
    lut[i * 4 + 1] = c[1];
    lut[i * 4 + 2] = c[2];
    lut[i * 4 + 3] = 255;
  }
  const rgbAt = (t: number): Rgb => {
    const i = lutIndex(t) * 4;
    return [lut[i], lut[i + 1], lut[i + 2]];
  };
  return { scheme, lut, rgbAt, cssAt: (t) => rgbCss(rgbAt(t)) };
}

/** Index into the LUT for t in [0, 1] (clamped; NaN counts as 0). */
export function lutIndex(t: number): number {
  if (!(t > 0)) return 0;
  if (t >= 1) return LUT_SIZE - 1;
  return Math.round(t * (LUT_SIZE - 1));
}

/**
 * Background to the accent that stands out most (the widest range of intensities); the foreground when no
 * accent stands out enough (e.g. a theme whose accents are close to its background).
 */
function themeInterpolator(theme: ScaleTheme): (t: number) => string {
  let accent = theme.foreground;
  let best = MIN_ACCENT_DISTANCE;
  for (const a of theme.accents) {
    const d = intensity(a, theme.background);
    if (d >= best) {
      best = d;
      accent = a;
    }
  }
  return interpolateLab(rgbCss(theme.background), rgbCss(accent));
}

/**
 * Orients a sequential scheme so its far end is the one most distant from the background, then starts it
 * where its lightness is closest to the background's (within MAX_CLIP), which keeps intensity monotone.
 */
function fitToBackground(base: (t: number) => string, background: Rgb): (t: number) => string {
  const bgL = lightness(background);
  const lAt = (s: number): number => lightness(parseRgb(base(s), background));
  const flip = Math.abs(lAt(0) - bgL) > Math.abs(lAt(1) - bgL);
  const oriented = (s: number): number => (flip ? 1 - s : s);
  let start = 0;
  let best = Infinity;
  const steps = 70;
  for (let i = 0; i <= steps; i++) {
    const s = (i / steps) * MAX_CLIP;
    const d = Math.abs(lAt(oriented(s)) - bgL);
    if (d < best) {
      best = d;
      start = s;
    }
  }
  return (t) => base(oriented(start + (1 - start) * t));
}

/**
 * Small colour helpers shared by the scales, the theme reader and the tests: parse any CSS colour into RGB,
 * and measure lightness (CIE L*) so "intensity" can be defined as distance from the background.
 */
import { color, lab, rgb } from 'd3-color';

export type Rgb = readonly [number, number, number];

/** Parses a CSS colour (hex, rgb(), named); transparent or unparsable input gives `fallback`. */
export function parseRgb(value: string, fallback: Rgb): Rgb {
  const parsed = color(value.trim());
  if (!parsed || parsed.opacity === 0) return fallback;
  const c = parsed.rgb();
  return [Math.round(c.r), Math.round(c.g), Math.round(c.b)];
}

export function rgbCss(c: Rgb, alpha = 1): string {
  return alpha >= 1 ? `rgb(${c[0]}, ${c[1]}, ${c[2]})` : `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha})`;
}

/** CIE L* (0 = black, 100 = white): perceptual lightness, what a viewer reads as "stronger" on a plain background. */
export function lightness(c: Rgb): number {
  return lab(rgb(c[0], c[1], c[2])).l;
}

/** How far a colour stands out from the background, in L* units; scales must grow this with the value. */
export function intensity(c: Rgb, background: Rgb): number {
  return Math.abs(lightness(c) - lightness(background));
}

/** WCAG contrast ratio, used to pick readable text colours on top of scale colours. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function relativeLuminance(c: Rgb): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

/** Of two candidate text colours, the one that reads better on `background`. */
export function readableOn(background: Rgb, dark: Rgb, light: Rgb): Rgb {
  return contrastRatio(background, dark) >= contrastRatio(background, light) ? dark : light;
}

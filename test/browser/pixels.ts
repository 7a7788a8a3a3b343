/**
 * Pixel reads from the panel's canvases, done inside the page (getImageData) so only counts cross over.
 * Callbacks avoid inner named functions: tsx would wrap them in a helper the page does not have.
 */
import type { Page } from 'playwright-core';

export type Rgb = [number, number, number];

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Pixels of a canvas that are drawn (alpha > 0) and differ from `bg` by more than `tol` in some channel. */
export function canvasInk(page: Page, selector: string, bg: Rgb | null = null, rect: Rect | null = null, tol = 16): Promise<number> {
  return page.evaluate(
    ({ selector, bg, rect, tol }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(selector);
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) throw new Error(`no canvas ${selector}`);
      const r = rect ?? { x: 0, y: 0, w: canvas.width, h: canvas.height };
      const data = ctx.getImageData(r.x, r.y, r.w, r.h).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 8) continue;
        if (bg && Math.abs(data[i] - bg[0]) <= tol && Math.abs(data[i + 1] - bg[1]) <= tol && Math.abs(data[i + 2] - bg[2]) <= tol) continue;
        n++;
      }
      return n;
    },
    { selector, bg, rect, tol },
  );
}

/** RGBA of one canvas pixel. */
export function canvasPixel(page: Page, selector: string, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ({ selector, x, y }) => {
      const ctx = document.querySelector<HTMLCanvasElement>(selector)?.getContext('2d');
      if (!ctx) throw new Error(`no canvas ${selector}`);
      return Array.from(ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data);
    },
    { selector, x, y },
  );
}

/** The lowest and highest luma (0.299R + 0.587G + 0.114B) inside a canvas rectangle. */
export function lumaRange(page: Page, selector: string, rect: Rect): Promise<{ min: number; max: number }> {
  return page.evaluate(
    ({ selector, rect }) => {
      const ctx = document.querySelector<HTMLCanvasElement>(selector)?.getContext('2d');
      if (!ctx) throw new Error(`no canvas ${selector}`);
      const data = ctx.getImageData(rect.x, rect.y, rect.w, rect.h).data;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < data.length; i += 4) {
        const l = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
        if (l < min) min = l;
        if (l > max) max = l;
      }
      return { min, max };
    },
    { selector, rect },
  );
}

export const luma = (c: readonly number[]): number => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

/** WCAG contrast ratio of two CSS colours as getComputedStyle reports them ("rgb(…)"). */
export function contrast(a: string, b: string): number {
  const parse = (s: string): number[] => (s.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const lum = (c: number[]): number => {
    const [r, g, bl] = c.map((v) => {
      const x = v / 255;
      return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const la = lum(parse(a));
  const lb = lum(parse(b));
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

export const hexRgb = (hex: string): Rgb => [Number.parseInt(hex.slice(1, 3), 16), Number.parseInt(hex.slice(3, 5), 16), Number.parseInt(hex.slice(5, 7), 16)];

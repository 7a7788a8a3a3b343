/** A canvas kept at device resolution for a given CSS size; drawing code works in CSS px. */
import { h } from './dom';

export class CanvasSurface {
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  width = 0;
  height = 0;
  private dpr = 1;

  constructor(className: string, attrs: Record<string, string> = {}) {
    this.canvas = h('canvas', { className, attrs });
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('this webview cannot create a 2D canvas');
    this.ctx = ctx;
  }

  /** Resizes when the CSS size or the device pixel ratio changed; returns whether it did (content is lost). */
  resize(width: number, height: number): boolean {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(width));
    const hgt = Math.max(1, Math.round(height));
    if (w === this.width && hgt === this.height && dpr === this.dpr) return false;
    this.width = w;
    this.height = hgt;
    this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(hgt * dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${hgt}px`;
    return true;
  }

  /** Resets the transform to CSS px and clears everything. */
  begin(): CanvasRenderingContext2D {
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    return ctx;
  }
}

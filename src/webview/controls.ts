/**
 * The small form controls the views share: layer picker, head toggles, a segmented switch, the threshold
 * slider, the colour-scheme picker and the legend canvas. Native elements styled with theme variables:
 * they come with keyboard handling and accessibility for free.
 */
import type { ColorScheme } from '../shared/protocol';
import { COLOR_SCHEMES, type ColorScale } from './colorScale';
import { DisposableStore, type Disposable } from './disposable';
import { h, setAttr, setText, syncOptions } from './dom';
import { paintLegend, type LegendSpec } from './legend';
import type { ThemePalette } from './themePalette';

let nextControlId = 1;
const controlId = (stem: string): string => `${stem}-${nextControlId++}`;

/** A labelled <select> of layers. */
export class LayerPicker implements Disposable {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly store = new DisposableStore();

  constructor(label: string, onChange: (layer: number) => void) {
    const id = controlId('layer');
    this.select = h('select', { className: 'control-select', attrs: { id } });
    this.element = h('div', { className: 'control' }, [h('label', { className: 'control-label', text: label, attrs: { for: id } }), this.select]);
    this.store.listen(this.select, 'change', () => onChange(Number(this.select.value)));
  }

  update(layers: number, layer: number): void {
    syncOptions(this.select, Array.from({ length: layers }, (_, l) => ({ value: String(l), label: `Layer ${l}` })), String(layer));
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** "All", "Mean" and one toggle per head, each head with its arc colour. */
export class HeadPicker implements Disposable {
  readonly element: HTMLElement;
  private readonly group: HTMLElement;
  private readonly all: HTMLButtonElement;
  private readonly mean: HTMLButtonElement;
  private chips: HTMLButtonElement[] = [];
  private readonly store = new DisposableStore();

  constructor(private readonly actions: { setHeads(heads: number[]): void; toggle(head: number): void }) {
    this.all = h('button', { className: 'chip', text: 'All', attrs: { type: 'button', title: 'Show every head' } });
    this.mean = h('button', { className: 'chip', text: 'Mean', attrs: { type: 'button', title: 'Average over all heads' } });
    this.group = h('div', { className: 'chip-group', attrs: { role: 'group', 'aria-label': 'Heads' } });
    this.element = h('div', { className: 'control' }, [h('span', { className: 'control-label', text: 'Heads' }), this.all, this.mean, this.group]);
    this.store.listen(this.all, 'click', () => this.actions.setHeads(this.chips.map((_, i) => i)));
    this.store.listen(this.mean, 'click', () => this.actions.setHeads([]));
    this.store.listen(this.group, 'click', (e) => {
      const chip = (e.target as Element).closest<HTMLButtonElement>('[data-head]');
      if (!chip) return;
      const head = Number(chip.dataset.head);
      // Alt-click shows that head alone, the quickest way from "all" to one head.
      if (e.altKey) this.actions.setHeads([head]);
      else this.actions.toggle(head);
    });
  }

  update(headCount: number, heads: readonly number[], colors: readonly string[]): void {
    if (this.chips.length !== headCount) {
      this.chips = Array.from({ length: headCount }, (_, i) =>
        h('button', { className: 'chip head-chip', attrs: { type: 'button', 'data-head': String(i), title: `Head ${i} (Alt+click: only this head)` } }, [
          h('span', { className: 'swatch' }),
          `H${i}`,
        ]),
      );
      this.group.replaceChildren(...this.chips);
    }
    const mean = heads.length === 0;
    setAttr(this.mean, 'aria-pressed', String(mean));
    setAttr(this.all, 'aria-pressed', String(heads.length === headCount));
    this.chips.forEach((chip, i) => {
      setAttr(chip, 'aria-pressed', String(!mean && heads.includes(i)));
      const swatch = chip.firstElementChild as HTMLElement;
      if (swatch.style.backgroundColor !== colors[i]) swatch.style.backgroundColor = colors[i] ?? '';
    });
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** A row of mutually exclusive buttons (radio-like, with aria-pressed). */
export class Segmented<T extends string> implements Disposable {
  readonly element: HTMLElement;
  private readonly buttons: HTMLButtonElement[];
  private readonly store = new DisposableStore();

  constructor(label: string, options: readonly { value: T; label: string; title?: string }[], onChange: (value: T) => void) {
    this.buttons = options.map((o) => h('button', { className: 'chip', text: o.label, attrs: { type: 'button', 'data-value': o.value, title: o.title ?? o.label } }));
    const group = h('div', { className: 'segmented', attrs: { role: 'group', 'aria-label': label } }, this.buttons);
    this.element = h('div', { className: 'control' }, [h('span', { className: 'control-label', text: label }), group]);
    this.store.listen(group, 'click', (e) => {
      const button = (e.target as Element).closest<HTMLButtonElement>('[data-value]');
      const value = options.find((o) => o.value === button?.dataset.value)?.value;
      if (value !== undefined) onChange(value);
    });
  }

  update(value: T): void {
    for (const b of this.buttons) setAttr(b, 'aria-pressed', String(b.dataset.value === value));
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** Minimum weight of an arc to be drawn. */
export class ThresholdSlider implements Disposable {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly output: HTMLOutputElement;
  private readonly store = new DisposableStore();

  constructor(onChange: (value: number) => void) {
    const id = controlId('threshold');
    this.input = h('input', { className: 'control-range', attrs: { id, type: 'range', min: '0', max: '0.5', step: '0.01' } });
    this.output = h('output', { className: 'control-value', attrs: { for: id } });
    this.element = h('div', { className: 'control' }, [h('label', { className: 'control-label', text: 'Hide below', attrs: { for: id } }), this.input, this.output]);
    this.store.listen(this.input, 'input', () => onChange(Number(this.input.value)));
  }

  update(value: number): void {
    const text = value.toFixed(2);
    if (this.input.value !== text && Number(this.input.value) !== value) this.input.value = String(value);
    setText(this.output, text);
    setAttr(this.input, 'aria-valuetext', `weights below ${text} hidden`);
  }

  dispose(): void {
    this.store.dispose();
  }
}

const SCHEME_LABELS: Record<ColorScheme, string> = { theme: 'Theme', blues: 'Blues', viridis: 'Viridis', magma: 'Magma', greys: 'Greys' };

export class SchemePicker implements Disposable {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly store = new DisposableStore();

  constructor(onChange: (scheme: ColorScheme) => void) {
    const id = controlId('scheme');
    this.select = h('select', { className: 'control-select', attrs: { id } });
    syncOptions(this.select, COLOR_SCHEMES.map((s) => ({ value: s, label: SCHEME_LABELS[s] })), 'theme');
    this.element = h('div', { className: 'control' }, [h('label', { className: 'control-label', text: 'Colours', attrs: { for: id } }), this.select]);
    this.store.listen(this.select, 'change', () => {
      const scheme = COLOR_SCHEMES.find((s) => s === this.select.value);
      if (scheme) onChange(scheme);
    });
  }

  update(scheme: ColorScheme): void {
    if (this.select.value !== scheme) this.select.value = scheme;
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** The legend drawn into a small canvas at device resolution; repainted only when its inputs change. */
export class LegendCanvas {
  readonly element: HTMLCanvasElement;
  private key = '';

  constructor() {
    this.element = h('canvas', { className: 'legend', attrs: { role: 'img' } });
  }

  update(spec: LegendSpec, palette: ThemePalette, scale: ColorScale, colorVersion: number): void {
    const dpr = window.devicePixelRatio || 1;
    const key = `${JSON.stringify(spec)}|${colorVersion}|${dpr}`;
    if (key === this.key) return;
    this.key = key;
    const height = 30;
    const measure = this.element.getContext('2d');
    if (!measure) return;
    // Paint once off-size to learn the width, then size the canvas to fit and paint for real.
    const width = Math.ceil(paintLegend(measure, spec, 0, 0, height, palette, scale)) + 4;
    this.element.width = Math.round(width * dpr);
    this.element.height = Math.round(height * dpr);
    this.element.style.width = `${width}px`;
    this.element.style.height = `${height}px`;
    const ctx = this.element.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    paintLegend(ctx, spec, 0, 0, height, palette, scale);
    setAttr(this.element, 'aria-label', spec.kind === 'scale' ? `${spec.label}: 0 to ${spec.max.toFixed(2)}` : `${spec.label}: ${spec.names.join(', ')}`);
  }
}

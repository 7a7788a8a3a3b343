/**
 * Compare: 2 to 4 (layer, head) heatmaps side by side on the same token axes and one shared colour scale;
 * hovering a cell in one marks the same cell in all and lists every map's weight.
 */
import { headMatrix, maxOf, SCALE_POWER } from './attentionMath';
import { CanvasSurface } from './canvasSurface';
import { cellLine, cellTitle } from './cellDescription';
import { handleCellKey } from './cellKeyboard';
import { rgbCss } from './color';
import { LegendCanvas, SchemePicker } from './controls';
import { DisposableStore } from './disposable';
import { contentSize, h, setText } from './dom';
import { cellAt, heatmapGeometry, type HeatmapGeometry } from './heatmapLayout';
import { paintHeatmap } from './heatmapPainter';
import { LayerNotice } from './layerNotice';
import type { LegendSpec } from './legend';
import { MatrixImage } from './matrixImage';
import { PairPicker, SLOT_NAMES } from './pairPicker';
import { focusedCell, focusedToken, MAX_COMPARE, type AppState, type DataState, type HeadPair } from './state';
import type { ThemePalette } from './themePalette';
import { Tooltip } from './tooltip';
import type { ExportPicture, PanelView, RenderEnv, ViewDeps } from './viewTypes';

interface Slot {
  element: HTMLElement;
  title: HTMLElement;
  surface: CanvasSurface;
  image: MatrixImage;
  imageKey: string;
  geometry: HeatmapGeometry | null;
}

const TITLE_HEIGHT = 22;
const GAP = 12;
/** Below this a map is too small to read; the maps wrap onto more rows instead. */
const MIN_SLOT_WIDTH = 220;

const pairLabel = (slot: number, p: HeadPair): string => `${SLOT_NAMES[slot]} · Layer ${p.layer} · Head ${p.head}`;

export class CompareView implements PanelView {
  readonly element: HTMLElement;
  private readonly store = new DisposableStore();
  private readonly picker: PairPicker;
  private readonly schemePicker: SchemePicker;
  private readonly legend = new LegendCanvas();
  private readonly body: HTMLElement;
  private readonly row: HTMLElement;
  private readonly tooltip = new Tooltip();
  private readonly notice: LayerNotice;
  private readonly slots: Slot[] = [];
  private max = 0;
  private paintedKey = '';
  private last: { state: AppState; data: DataState; env: RenderEnv } | null = null;

  constructor(private readonly deps: ViewDeps) {
    this.picker = this.store.add(
      new PairPicker({
        set: (slot, pair) => deps.dispatch({ type: 'setComparePair', slot, pair }),
        add: () => deps.dispatch({ type: 'addComparePair' }),
        remove: (slot) => deps.dispatch({ type: 'removeComparePair', slot }),
      }),
    );
    this.schemePicker = this.store.add(new SchemePicker((scheme) => deps.dispatch({ type: 'setColorScheme', scheme })));
    this.notice = this.store.add(new LayerNotice((layer) => deps.retryLayer(layer)));
    this.row = h('div', { className: 'compare-row', attrs: { 'data-export-surface': '' } });
    this.body = h('div', { className: 'view-body compare-body' }, [this.row, this.tooltip.element, this.notice.element]);
    const controls = h('div', { className: 'view-controls' }, [this.picker.element, this.schemePicker.element, h('div', { className: 'control-spacer' }), this.legend.element]);
    this.element = h('section', { className: 'view compare-view', attrs: { 'aria-label': 'Compare heads' } }, [controls, this.body]);
    for (let i = 0; i < MAX_COMPARE; i++) this.slots.push(this.createSlot(i));
    const resize = new ResizeObserver(() => {
      if (this.last) this.render(this.last.state, this.last.data, this.last.env);
    });
    resize.observe(this.body);
    this.store.add({ dispose: () => resize.disconnect() });
  }

  render(state: AppState, data: DataState, env: RenderEnv): boolean {
    this.last = { state, data, env };
    const { model, tokens } = data.result;
    const pairs = state.compare;
    this.picker.update(pairs, model.layers, model.heads);
    this.schemePicker.update(state.colorScheme);
    const layers = [...new Set(pairs.map((p) => p.layer))];
    this.notice.update(layers.map((layer) => ({ layer, status: data.layers[layer] ?? { kind: 'absent' } })));
    this.slots.forEach((slot, i) => (slot.element.hidden = i >= pairs.length));
    if (!this.element.isConnected || this.body.clientWidth === 0) return false;
    const allReady = layers.every((l) => data.layers[l]?.kind === 'ready');
    if (!allReady) {
      this.paintedKey = '';
      for (const slot of this.slots) slot.surface.begin();
      this.tooltip.hide();
      return false;
    }
    const matrices = pairs.map((p) => {
      const layer = env.cache.get(p.layer);
      return layer ? headMatrix(layer.data, layer.size, p.head) : null;
    });
    if (matrices.some((m) => m === null)) return false;
    // One scale for all maps, so equal colours mean equal weights across heads.
    const max = Math.max(...matrices.map((m) => (m ? maxOf(m) : 0)));
    const box = contentSize(this.body);
    const columns = Math.min(pairs.length, Math.max(1, Math.floor((box.width + GAP) / MIN_SLOT_WIDTH)));
    const width = Math.floor((box.width - GAP * (columns - 1)) / columns) - 1;
    const rows = Math.ceil(pairs.length / columns);
    const height = Math.max(MIN_SLOT_WIDTH - TITLE_HEIGHT, Math.floor((box.height - GAP * (rows - 1)) / rows) - TITLE_HEIGHT - 1);
    const g = heatmapGeometry(tokens.length, width, height);
    const dpr = window.devicePixelRatio || 1;
    let resized = false;
    pairs.forEach((pair, i) => {
      const slot = this.slots[i];
      setText(slot.title, pairLabel(i, pair));
      resized = slot.surface.resize(g.width, g.height) || resized;
      slot.geometry = g;
      const key = `${data.result.runId}|${pair.layer}|${pair.head}|${env.colorVersion}|${max}|${Math.floor(g.cell * tokens.length * dpr)}`;
      if (key !== slot.imageKey) {
        slot.imageKey = key;
        slot.image.update(matrices[i] as Float32Array, tokens.length, max, env.scale.lut, g.cell * tokens.length * dpr);
      }
    });
    this.max = max;
    this.legend.update(this.legendSpec(), env.palette, env.scale, env.colorVersion);
    const focus = focusedCell(state);
    const paintKey = `${this.slots.map((s) => s.imageKey).join(';')}|${pairs.length}|${g.width}|${focus?.query},${focus?.key}|${state.lockedCell?.query},${state.lockedCell?.key}|${focusedToken(state)}`;
    if (paintKey !== this.paintedKey || resized) {
      this.paintedKey = paintKey;
      pairs.forEach((_, i) => {
        const slot = this.slots[i];
        paintHeatmap(slot.surface.begin(), { geometry: g, image: slot.image.canvas, tokens, focus, locked: state.lockedCell, row: focusedToken(state), palette: env.palette });
      });
    }
    this.updateTooltip(state, data, env, g);
    return true;
  }

  exportPicture(): ExportPicture | null {
    const snap = this.last;
    if (!snap || !this.paintedKey) return null;
    const { state, env } = snap;
    const pairs = state.compare;
    const visible = this.slots.slice(0, pairs.length);
    const origin = this.row.getBoundingClientRect();
    const placed = visible.map((slot) => {
      const r = slot.element.getBoundingClientRect();
      return { slot, x: r.left - origin.left, y: r.top - origin.top };
    });
    const width = this.row.offsetWidth;
    const height = this.row.offsetHeight;
    return {
      width,
      height,
      layer: [...new Set(pairs.map((p) => p.layer))].join(', '),
      heads: pairs.map((p) => `L${p.layer}H${p.head}`).join(', '),
      legend: this.legendSpec(),
      paint: (ctx) => {
        ctx.fillStyle = rgbCss(env.palette.background);
        ctx.fillRect(0, 0, width, height);
        placed.forEach(({ slot, x, y }, i) => {
          if (!slot.geometry) return;
          paintSlotTitle(ctx, pairLabel(i, pairs[i]), x, y, env.palette);
          ctx.save();
          ctx.translate(x, y + TITLE_HEIGHT);
          paintHeatmap(ctx, { geometry: slot.geometry, image: slot.image.canvas, tokens: snap.data.result.tokens, focus: focusedCell(state), locked: state.lockedCell, row: focusedToken(state), palette: env.palette });
          ctx.restore();
        });
      },
    };
  }

  dispose(): void {
    this.store.dispose();
  }

  private createSlot(index: number): Slot {
    const surface = new CanvasSurface('compare-canvas', { tabindex: '0', role: 'img', 'aria-label': `Map ${SLOT_NAMES[index]}` });
    const title = h('div', { className: 'compare-title' });
    title.style.height = `${TITLE_HEIGHT}px`;
    const element = h('figure', { className: 'compare-slot' }, [title, surface.canvas]);
    element.hidden = true;
    this.row.append(element);
    const slot: Slot = { element, title, surface, image: new MatrixImage(), imageKey: '', geometry: null };
    const canvas = surface.canvas;
    this.store.listen(canvas, 'pointermove', (e) => this.deps.dispatch({ type: 'hoverCell', cell: slot.geometry ? cellAt(slot.geometry, e.offsetX, e.offsetY) : null }));
    this.store.listen(canvas, 'pointerleave', () => this.deps.dispatch({ type: 'hoverCell', cell: null }));
    this.store.listen(canvas, 'click', (e) => {
      const cell = slot.geometry ? cellAt(slot.geometry, e.offsetX, e.offsetY) : null;
      if (!cell) return;
      this.deps.dispatch({ type: 'clickCell', cell });
      this.deps.reveal(cell.query);
    });
    this.store.listen(canvas, 'keydown', (e) => handleCellKey(e, this.deps));
    return slot;
  }

  private legendSpec(): LegendSpec {
    return { kind: 'scale', label: 'Attention weight (shared scale)', max: this.max, format: 'weight', power: SCALE_POWER };
  }

  private updateTooltip(state: AppState, data: DataState, env: RenderEnv, g: HeatmapGeometry): void {
    const focus = focusedCell(state);
    if (!focus) {
      this.tooltip.hide();
      return;
    }
    const lines = state.compare.map((p, i) => cellLine(pairLabel(i, p), env.cache.weightAt(p.layer, [p.head], focus.query, focus.key), focus));
    const anchor = this.slots[0].element;
    const base = this.body.getBoundingClientRect();
    const r = anchor.getBoundingClientRect();
    const x = r.left - base.left + this.body.scrollLeft + g.left + (focus.key + 1) * g.cell;
    const y = r.top - base.top + this.body.scrollTop + TITLE_HEIGHT + g.top + (focus.query + 1) * g.cell;
    this.tooltip.show(cellTitle(data.result.tokens, focus), lines, x, y);
  }
}

function paintSlotTitle(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, palette: ThemePalette): void {
  ctx.save();
  ctx.font = `600 ${palette.fontSize}px ${palette.fontFamily}`;
  ctx.fillStyle = rgbCss(palette.foreground);
  ctx.textBaseline = 'middle';
  ctx.fillText(text, x + 2, y + TITLE_HEIGHT / 2);
  ctx.restore();
}

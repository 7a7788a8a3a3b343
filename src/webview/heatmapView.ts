/**
 * Heatmap: the T x T attention matrix of one layer and head (or the mean over heads), rows = queries.
 * The coloured bitmap is rebuilt only when the data, heads or colours change; hovering only repaints the
 * overlay (a drawImage and a few rectangles).
 */
import { maxOf, SCALE_POWER } from './attentionMath';
import { CanvasSurface } from './canvasSurface';
import { cellLine, cellTitle } from './cellDescription';
import { handleCellKey } from './cellKeyboard';
import { rgbCss } from './color';
import { HeadPicker, LayerPicker, LegendCanvas, SchemePicker } from './controls';
import { DisposableStore } from './disposable';
import { contentSize, h, setText } from './dom';
import { formatHeads } from './format';
import { cellAt, heatmapGeometry, type HeatmapGeometry } from './heatmapLayout';
import { paintHeatmap } from './heatmapPainter';
import { LayerNotice } from './layerNotice';
import type { LegendSpec } from './legend';
import { MatrixImage } from './matrixImage';
import { focusedCell, focusedToken, type AppState, type DataState } from './state';
import { Tooltip } from './tooltip';
import type { ExportPicture, PanelView, RenderEnv, ViewDeps } from './viewTypes';

export class HeatmapView implements PanelView {
  readonly element: HTMLElement;
  private readonly store = new DisposableStore();
  private readonly layerPicker: LayerPicker;
  private readonly headPicker: HeadPicker;
  private readonly schemePicker: SchemePicker;
  private readonly legend = new LegendCanvas();
  private readonly body: HTMLElement;
  private readonly surface = new CanvasSurface('heatmap-canvas', { tabindex: '0', role: 'img', 'data-export-surface': '' });
  private readonly tooltip = new Tooltip();
  private readonly live = h('div', { className: 'visually-hidden', attrs: { 'aria-live': 'polite' } });
  private readonly notice: LayerNotice;
  private readonly image = new MatrixImage();
  private imageKey = '';
  private max = 0;
  private geometry: HeatmapGeometry | null = null;
  private paintedKey = '';
  private last: { state: AppState; data: DataState; env: RenderEnv } | null = null;

  constructor(private readonly deps: ViewDeps) {
    this.layerPicker = this.store.add(new LayerPicker('Layer', (layer) => deps.dispatch({ type: 'setLayer', layer })));
    this.headPicker = this.store.add(
      new HeadPicker({ setHeads: (heads) => deps.dispatch({ type: 'setHeads', heads }), toggle: (head) => deps.dispatch({ type: 'toggleHead', head }) }),
    );
    this.schemePicker = this.store.add(new SchemePicker((scheme) => deps.dispatch({ type: 'setColorScheme', scheme })));
    this.notice = this.store.add(new LayerNotice((layer) => deps.retryLayer(layer)));
    this.body = h('div', { className: 'view-body heatmap-body' }, [this.surface.canvas, this.tooltip.element, this.notice.element, this.live]);
    const controls = h('div', { className: 'view-controls' }, [
      this.layerPicker.element,
      this.headPicker.element,
      this.schemePicker.element,
      h('div', { className: 'control-spacer' }),
      this.legend.element,
    ]);
    this.element = h('section', { className: 'view heatmap-view', attrs: { 'aria-label': 'Heatmap' } }, [controls, this.body]);
    const canvas = this.surface.canvas;
    this.store.listen(canvas, 'pointermove', (e) => deps.dispatch({ type: 'hoverCell', cell: this.geometry ? cellAt(this.geometry, e.offsetX, e.offsetY) : null }));
    this.store.listen(canvas, 'pointerleave', () => deps.dispatch({ type: 'hoverCell', cell: null }));
    this.store.listen(canvas, 'click', (e) => {
      const cell = this.geometry ? cellAt(this.geometry, e.offsetX, e.offsetY) : null;
      if (!cell) return;
      deps.dispatch({ type: 'clickCell', cell });
      deps.reveal(cell.query);
    });
    this.store.listen(canvas, 'keydown', (e) => handleCellKey(e, deps));
    const resize = new ResizeObserver(() => {
      if (this.last) this.render(this.last.state, this.last.data, this.last.env);
    });
    resize.observe(this.body);
    this.store.add({ dispose: () => resize.disconnect() });
  }

  render(state: AppState, data: DataState, env: RenderEnv): boolean {
    this.last = { state, data, env };
    const { model, tokens } = data.result;
    this.layerPicker.update(model.layers, state.layer);
    this.headPicker.update(model.heads, state.heads, env.headColors);
    this.schemePicker.update(state.colorScheme);
    const status = data.layers[state.layer] ?? { kind: 'absent' };
    this.notice.update([{ layer: state.layer, status }]);
    if (!this.element.isConnected || this.body.clientWidth === 0) return false;
    const box = contentSize(this.body);
    const g = heatmapGeometry(tokens.length, box.width, box.height);
    const resized = this.surface.resize(g.width, g.height);
    this.geometry = g;
    setText(this.live, '');
    if (status.kind !== 'ready') {
      this.surface.begin();
      this.paintedKey = '';
      this.tooltip.hide();
      return false;
    }
    const dpr = window.devicePixelRatio || 1;
    const imageKey = `${data.result.runId}|${state.layer}|${state.heads.join(',')}|${env.colorVersion}|${Math.floor(g.cell * tokens.length * dpr)}`;
    if (imageKey !== this.imageKey) {
      const matrix = env.cache.matrix(state.layer, state.heads);
      if (!matrix) return false;
      performance.mark('heatmap:build:start');
      this.max = maxOf(matrix);
      this.image.update(matrix, tokens.length, this.max, env.scale.lut, g.cell * tokens.length * dpr);
      performance.measure('heatmap:build', 'heatmap:build:start');
      this.imageKey = imageKey;
    }
    this.legend.update(this.legendSpec(), env.palette, env.scale, env.colorVersion);
    const focus = focusedCell(state);
    const paintKey = `${imageKey}|${g.width}x${g.height}|${focus?.query},${focus?.key}|${state.lockedCell?.query},${state.lockedCell?.key}|${focusedToken(state)}`;
    if (paintKey !== this.paintedKey || resized) {
      this.paintedKey = paintKey;
      performance.mark('heatmap:paint:start');
      const ctx = this.surface.begin();
      paintHeatmap(ctx, { geometry: g, image: this.image.canvas, tokens, focus, locked: state.lockedCell, row: focusedToken(state), palette: env.palette });
      performance.measure('heatmap:paint', 'heatmap:paint:start');
    }
    this.surface.canvas.setAttribute('aria-label', `Attention heatmap, layer ${state.layer}, ${formatHeads(state.heads, model.heads)}; arrow keys move between cells`);
    this.updateTooltip(state, data, env, focus, g);
    return true;
  }

  exportPicture(): ExportPicture | null {
    const snap = this.last;
    const g = this.geometry;
    if (!snap || !g || snap.data.layers[snap.state.layer]?.kind !== 'ready' || !this.imageKey) return null;
    const { state, data, env } = snap;
    return {
      width: this.surface.width,
      height: this.surface.height,
      layer: String(state.layer),
      heads: formatHeads(state.heads, data.result.model.heads),
      legend: this.legendSpec(),
      paint: (ctx) => {
        ctx.fillStyle = rgbCss(env.palette.background);
        ctx.fillRect(0, 0, this.surface.width, this.surface.height);
        paintHeatmap(ctx, { geometry: g, image: this.image.canvas, tokens: data.result.tokens, focus: focusedCell(state), locked: state.lockedCell, row: focusedToken(state), palette: env.palette });
      },
    };
  }

  dispose(): void {
    this.store.dispose();
  }

  private legendSpec(): LegendSpec {
    return { kind: 'scale', label: 'Attention weight', max: this.max, format: 'weight', power: SCALE_POWER };
  }

  private updateTooltip(state: AppState, data: DataState, env: RenderEnv, focus: AppState['hoverCell'], g: HeatmapGeometry): void {
    if (!focus) {
      this.tooltip.hide();
      return;
    }
    const weight = env.cache.weightAt(state.layer, state.heads, focus.query, focus.key);
    const label = `Layer ${state.layer}, ${formatHeads(state.heads, data.result.model.heads)}`;
    const title = cellTitle(data.result.tokens, focus);
    const line = cellLine(label, weight, focus);
    const x = this.surface.canvas.offsetLeft + g.left + (focus.key + 1) * g.cell;
    const y = this.surface.canvas.offsetTop + g.top + (focus.query + 1) * g.cell;
    this.tooltip.show(title, [line], x, y);
    if (state.hoverCell === null || document.activeElement === this.surface.canvas) setText(this.live, `${title}. ${line}`);
  }
}

/**
 * Grid (model view): a small map for every layer x head; clicking one opens it in Arcs or Heatmap. Maps
 * come from downsampled thumbnails, so the grid needs every layer only once, while it is being built.
 */
import { fillPixels, SCALE_POWER } from './attentionMath';
import { CanvasSurface } from './canvasSurface';
import { rgbCss } from './color';
import { LegendCanvas, SchemePicker, Segmented } from './controls';
import { DisposableStore } from './disposable';
import { contentSize, h, setText } from './dom';
import { gridGeometry, moveThumb, thumbAt, thumbOrigin, type GridGeometry } from './gridLayout';
import type { LegendSpec } from './legend';
import type { AppState, DataState, GridTarget, HeadPair } from './state';
import type { ThemePalette } from './themePalette';
import { THUMB_RESOLUTION } from './thumbnailStore';
import { Tooltip } from './tooltip';
import type { ExportPicture, PanelView, RenderEnv, ViewDeps } from './viewTypes';

const LEGEND: LegendSpec = { kind: 'scale', label: 'Weight, each map to its own maximum', max: 1, format: 'percent', power: SCALE_POWER };

export class GridView implements PanelView {
  readonly element: HTMLElement;
  private readonly store = new DisposableStore();
  private readonly target: Segmented<GridTarget>;
  private readonly schemePicker: SchemePicker;
  private readonly legend = new LegendCanvas();
  private readonly progress = h('span', { className: 'control-note', attrs: { role: 'status' } });
  private readonly body: HTMLElement;
  private readonly surface = new CanvasSurface('grid-canvas', { tabindex: '0', role: 'img', 'data-export-surface': '' });
  private readonly tooltip = new Tooltip();
  private atlas: OffscreenCanvas | null = null;
  private atlasKey = '';
  private geometry: GridGeometry | null = null;
  private paintedKey = '';
  private last: { state: AppState; data: DataState; env: RenderEnv } | null = null;

  constructor(private readonly deps: ViewDeps) {
    this.target = this.store.add(
      new Segmented<GridTarget>(
        'Open in',
        [
          { value: 'heatmap', label: 'Heatmap' },
          { value: 'arcs', label: 'Arcs' },
        ],
        (target) => deps.dispatch({ type: 'setGridTarget', target }),
      ),
    );
    this.schemePicker = this.store.add(new SchemePicker((scheme) => deps.dispatch({ type: 'setColorScheme', scheme })));
    this.body = h('div', { className: 'view-body grid-body' }, [this.surface.canvas, this.tooltip.element]);
    const controls = h('div', { className: 'view-controls' }, [
      this.target.element,
      this.schemePicker.element,
      this.progress,
      h('div', { className: 'control-spacer' }),
      this.legend.element,
    ]);
    this.element = h('section', { className: 'view grid-view', attrs: { 'aria-label': 'Grid of all layers and heads' } }, [controls, this.body]);
    const canvas = this.surface.canvas;
    this.store.listen(canvas, 'pointermove', (e) => deps.dispatch({ type: 'gridCursor', pair: this.geometry ? thumbAt(this.geometry, e.offsetX, e.offsetY) : null }));
    this.store.listen(canvas, 'pointerleave', () => deps.dispatch({ type: 'gridCursor', pair: null }));
    this.store.listen(canvas, 'click', (e) => {
      const pair = this.geometry ? thumbAt(this.geometry, e.offsetX, e.offsetY) : null;
      if (pair) deps.dispatch({ type: 'openHead', pair });
    });
    this.store.listen(canvas, 'keydown', (e) => this.onKey(e));
    const resize = new ResizeObserver(() => {
      if (this.last) this.render(this.last.state, this.last.data, this.last.env);
    });
    resize.observe(this.body);
    this.store.add({ dispose: () => resize.disconnect() });
  }

  render(state: AppState, data: DataState, env: RenderEnv): boolean {
    this.last = { state, data, env };
    const { model } = data.result;
    this.target.update(state.gridTarget);
    this.schemePicker.update(state.colorScheme);
    this.legend.update(LEGEND, env.palette, env.scale, env.colorVersion);
    const ready = data.thumbs.filter(Boolean).length;
    setText(this.progress, ready < model.layers ? `Loading layers: ${ready} of ${model.layers}` : `${model.layers} layers × ${model.heads} heads`);
    if (!this.element.isConnected || this.body.clientWidth === 0) return false;
    const g = gridGeometry(model.layers, model.heads, contentSize(this.body).width);
    const resized = this.surface.resize(g.width, g.height);
    this.geometry = g;
    const atlasKey = `${data.result.runId}|${data.thumbs.join(',')}|${env.colorVersion}`;
    if (atlasKey !== this.atlasKey) {
      this.atlasKey = atlasKey;
      this.atlas = this.buildAtlas(data, env);
    }
    const cursor = state.gridCursor;
    const paintKey = `${atlasKey}|${g.width}|${cursor?.layer},${cursor?.head}|${state.layer}`;
    if (paintKey !== this.paintedKey || resized) {
      this.paintedKey = paintKey;
      paintGrid(this.surface.begin(), g, this.atlas, data.thumbs, cursor, env.palette);
    }
    this.surface.canvas.setAttribute('aria-label', `Grid of ${model.layers} layers by ${model.heads} heads; arrow keys move, Enter opens in ${state.gridTarget}`);
    if (cursor) {
      const o = thumbOrigin(g, cursor);
      this.tooltip.show(`Layer ${cursor.layer} · head ${cursor.head}`, [`Click or Enter: open in ${state.gridTarget === 'arcs' ? 'Arcs' : 'Heatmap'}`], this.surface.canvas.offsetLeft + o.x + g.thumb - 10, this.surface.canvas.offsetTop + o.y + g.thumb - 10);
    } else {
      this.tooltip.hide();
    }
    return ready > 0;
  }

  exportPicture(): ExportPicture | null {
    const snap = this.last;
    const g = this.geometry;
    if (!snap || !g) return null;
    const { data, env } = snap;
    return {
      width: this.surface.width,
      height: this.surface.height,
      layer: 'all',
      heads: 'all',
      legend: LEGEND,
      paint: (ctx) => {
        ctx.fillStyle = rgbCss(env.palette.background);
        ctx.fillRect(0, 0, this.surface.width, this.surface.height);
        paintGrid(ctx, g, this.atlas, data.thumbs, null, env.palette);
      },
    };
  }

  dispose(): void {
    this.store.dispose();
  }

  /** All thumbnails coloured into one bitmap, [layers x res] by [heads x res], each to its own max. */
  private buildAtlas(data: DataState, env: RenderEnv): OffscreenCanvas | null {
    const { layers, heads } = data.result.model;
    const res = Math.min(data.result.tokens.length, THUMB_RESOLUTION);
    const atlas = new OffscreenCanvas(heads * res, layers * res);
    const ctx = atlas.getContext('2d');
    if (!ctx) return null;
    const image = new ImageData(res, res);
    for (let l = 0; l < layers; l++) {
      if (!data.thumbs[l]) continue;
      for (let hd = 0; hd < heads; hd++) {
        const thumb = env.thumbs.get(l, hd);
        if (!thumb) continue;
        fillPixels(thumb.values, res * res, thumb.max, env.scale.lut, image.data, SCALE_POWER);
        ctx.putImageData(image, hd * res, l * res);
      }
    }
    return atlas;
  }

  private onKey(e: KeyboardEvent): void {
    const state = this.deps.state();
    if (state.ui.kind !== 'data') return;
    const { layers, heads } = state.ui.result.model;
    if (e.key === 'Enter' || e.key === ' ') {
      const pair = state.gridCursor ?? { layer: state.layer, head: 0 };
      this.deps.dispatch({ type: 'openHead', pair });
      e.preventDefault();
      return;
    }
    const next = moveThumb(state.gridCursor, e.key, layers, heads);
    if (!next) return;
    e.preventDefault();
    this.deps.dispatch({ type: 'gridCursor', pair: next });
  }
}

function paintGrid(ctx: CanvasRenderingContext2D, g: GridGeometry, atlas: OffscreenCanvas | null, ready: readonly boolean[], cursor: HeadPair | null, palette: ThemePalette): void {
  const res = atlas ? atlas.width / g.heads : 0;
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.font = `${Math.round(palette.fontSize * 0.85)}px ${palette.fontFamily}`;
  ctx.fillStyle = rgbCss(palette.muted);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  for (let hd = 0; hd < g.heads; hd++) ctx.fillText(`H${hd}`, g.left + hd * (g.thumb + g.gap) + g.thumb / 2, g.top - 4);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let l = 0; l < g.layers; l++) ctx.fillText(`L${l}`, g.left - 6, g.top + l * (g.thumb + g.gap) + g.thumb / 2);
  ctx.strokeStyle = rgbCss(palette.contrastBorder ?? palette.border);
  ctx.lineWidth = 1;
  for (let l = 0; l < g.layers; l++) {
    for (let hd = 0; hd < g.heads; hd++) {
      const o = thumbOrigin(g, { layer: l, head: hd });
      if (atlas && ready[l]) ctx.drawImage(atlas, hd * res, l * res, res, res, o.x, o.y, g.thumb, g.thumb);
      else {
        ctx.setLineDash([3, 3]);
        ctx.strokeRect(o.x + 0.5, o.y + 0.5, g.thumb - 1, g.thumb - 1);
        ctx.setLineDash([]);
        continue;
      }
      ctx.strokeRect(o.x - 0.5, o.y - 0.5, g.thumb + 1, g.thumb + 1);
    }
  }
  if (cursor) {
    const o = thumbOrigin(g, cursor);
    ctx.strokeStyle = rgbCss(palette.focus);
    ctx.lineWidth = 2;
    ctx.strokeRect(o.x - 2, o.y - 2, g.thumb + 4, g.thumb + 4);
  }
  ctx.restore();
}

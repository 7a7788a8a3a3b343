/**
 * Arcs (head view): tokens in reading order, arcs from each token to the tokens it attends to, one colour
 * per head, opacity and width by weight. Hovering a token shows only its arcs (as query or as key); a
 * click locks it, and hover wins over the lock.
 */
import { ARC_BAND, type TokenBoxes } from './arcLayout';
import { buildOverview, paintChips, paintOverview, paintTokenArcs, type ArcSource, type OverviewPaths } from './arcPainter';
import { CanvasSurface } from './canvasSurface';
import { rgbCss } from './color';
import { HeadPicker, LayerPicker, Segmented, ThresholdSlider } from './controls';
import { DisposableStore } from './disposable';
import { EXPORT_SCALE } from './exportLayout';
import { h, setText } from './dom';
import { formatHeads } from './format';
import { LayerNotice } from './layerNotice';
import type { LegendSpec } from './legend';
import type { AppState, ArcDirection, DataState } from './state';
import { TokenFlow } from './tokenFlow';
import type { ExportPicture, PanelView, RenderEnv, ViewDeps } from './viewTypes';

interface Snapshot {
  state: AppState;
  data: DataState;
  env: RenderEnv;
}

export class ArcsView implements PanelView {
  readonly element: HTMLElement;
  private readonly store = new DisposableStore();
  private readonly layerPicker: LayerPicker;
  private readonly headPicker: HeadPicker;
  private readonly direction: Segmented<ArcDirection>;
  private readonly threshold: ThresholdSlider;
  private readonly capNote = h('span', { className: 'control-note', attrs: { role: 'status' } });
  private readonly scroller: HTMLElement;
  private readonly stage: HTMLElement;
  /** Two layers: every arc of the layer, and the focused token's arcs on top; hovering swaps them. */
  private readonly overviewSurface = new CanvasSurface('arcs-canvas arcs-overview', { 'aria-hidden': 'true', 'data-export-surface': '' });
  private readonly focusSurface = new CanvasSurface('arcs-canvas arcs-focus', { 'aria-hidden': 'true' });
  private readonly flow: TokenFlow;
  private readonly notice: LayerNotice;
  private boxes: TokenBoxes | null = null;
  private layoutWidth = -1;
  private overview: { key: string; paths: OverviewPaths } | null = null;
  /** What each layer currently shows ('' = nothing), so only a layer whose content changed is repainted. */
  private overviewPainted = '';
  private focusPainted = '';
  private tintKey = '';
  private last: Snapshot | null = null;

  constructor(private readonly deps: ViewDeps) {
    this.layerPicker = this.store.add(new LayerPicker('Layer', (layer) => deps.dispatch({ type: 'setLayer', layer })));
    this.headPicker = this.store.add(
      new HeadPicker({ setHeads: (heads) => deps.dispatch({ type: 'setHeads', heads }), toggle: (head) => deps.dispatch({ type: 'toggleHead', head }) }),
    );
    this.direction = this.store.add(
      new Segmented<ArcDirection>(
        'Hovered token as',
        [
          { value: 'query', label: 'Query', title: 'Show what the hovered token attends to' },
          { value: 'key', label: 'Key', title: 'Show which tokens attend to the hovered token' },
        ],
        (direction) => deps.dispatch({ type: 'setArcDirection', direction }),
      ),
    );
    this.threshold = this.store.add(new ThresholdSlider((threshold) => deps.dispatch({ type: 'setThreshold', threshold })));
    this.flow = this.store.add(
      new TokenFlow('Tokens; arrow keys move, Enter locks and reveals the token in the editor', {
        hover: (index) => deps.dispatch({ type: 'hoverToken', index }),
        pick: (index) => {
          deps.dispatch({ type: 'clickToken', index });
          deps.reveal(index);
        },
        escape: () => deps.dispatch({ type: 'unlock' }),
      }),
    );
    this.flow.element.style.setProperty('--arc-band', `${ARC_BAND}px`);
    this.notice = this.store.add(new LayerNotice((layer) => deps.retryLayer(layer)));
    this.stage = h('div', { className: 'arcs-stage' }, [this.overviewSurface.canvas, this.focusSurface.canvas, this.flow.element]);
    this.scroller = h('div', { className: 'view-scroll' }, [this.stage]);
    const controls = h('div', { className: 'view-controls' }, [
      this.layerPicker.element,
      this.headPicker.element,
      this.direction.element,
      this.threshold.element,
      this.capNote,
    ]);
    this.element = h('section', { className: 'view arcs-view', attrs: { 'aria-label': 'Arcs' } }, [controls, h('div', { className: 'view-body' }, [this.scroller, this.notice.element])]);
    const resize = new ResizeObserver(() => {
      if (this.scroller.clientWidth === this.layoutWidth) return;
      this.boxes = null;
      if (this.last) this.render(this.last.state, this.last.data, this.last.env);
    });
    resize.observe(this.scroller);
    this.store.add({ dispose: () => resize.disconnect() });
  }

  render(state: AppState, data: DataState, env: RenderEnv): boolean {
    this.last = { state, data, env };
    const { model, tokens } = data.result;
    this.layerPicker.update(model.layers, state.layer);
    this.headPicker.update(model.heads, state.heads, env.headColors);
    this.direction.update(state.arcDirection);
    this.threshold.update(state.threshold);
    if (this.flow.setTokens(tokens, data.result.text)) this.boxes = null;
    this.flow.setMarks(state.hoverToken, state.lockedToken);
    const status = data.layers[state.layer] ?? { kind: 'absent' };
    this.notice.update([{ layer: state.layer, status }]);
    if (!this.element.isConnected || this.scroller.clientWidth === 0) return false;
    const boxes = this.layout();
    if (status.kind !== 'ready') {
      this.clearFocus();
      if (this.overviewPainted) this.overviewSurface.begin();
      this.overviewPainted = '';
      this.tintKey = '';
      this.flow.setTints(null, null);
      return false;
    }
    const sources = this.sources(state, data, env);
    if (!sources) return false;
    const overviewKey = this.overviewKey(state, data);
    const focus = state.hoverToken ?? state.lockedToken;
    this.tintAttended(sources, state, tokens.length, env, `${overviewKey}|${focus}|${state.arcDirection}|${env.colorVersion}`);
    if (focus === null) {
      this.clearFocus();
      this.overviewSurface.canvas.style.visibility = '';
      const paintKey = `${overviewKey}|${env.colorVersion}`;
      if (paintKey !== this.overviewPainted) {
        if (this.overview?.key !== overviewKey) {
          performance.mark('arcs:build:start');
          this.overview = { key: overviewKey, paths: buildOverview(sources, tokens.length, boxes, state.threshold) };
          performance.measure('arcs:build', 'arcs:build:start');
        }
        performance.mark('arcs:paint:start');
        paintOverview(this.overviewSurface.begin(), this.overview.paths, window.devicePixelRatio || 1);
        const o = this.overview.paths;
        setText(this.capNote, o.capped ? `${o.arcs.toLocaleString('en-US')} strongest arcs (≥ ${o.floor.toFixed(2)}); hover a token for all of its arcs` : '');
        performance.measure('arcs:paint-overview', 'arcs:paint:start');
        this.overviewPainted = paintKey;
      }
      return true;
    }
    // The overview keeps its pixels while hidden, so leaving the token shows it again without repainting.
    this.overviewSurface.canvas.style.visibility = 'hidden';
    const focusKey = `${overviewKey}|${focus}|${state.arcDirection}|${env.colorVersion}`;
    if (focusKey !== this.focusPainted) {
      performance.mark('arcs:paint:start');
      paintTokenArcs(this.focusSurface.begin(), sources, tokens.length, boxes, focus, state.arcDirection, state.threshold);
      performance.measure('arcs:paint-token', 'arcs:paint:start');
      this.focusPainted = focusKey;
    }
    return true;
  }

  exportPicture(): ExportPicture | null {
    const snap = this.last;
    if (!snap || !this.boxes) return null;
    const { state, data, env } = snap;
    const sources = this.sources(state, data, env);
    if (!sources || data.layers[state.layer]?.kind !== 'ready') return null;
    const boxes = this.boxes;
    const font = this.flow.canvasFont();
    const focused = state.hoverToken !== null || state.lockedToken !== null;
    const cached = this.overview?.key === this.overviewKey(state, data) ? this.overview.paths : null;
    const overview = focused ? null : (cached ?? buildOverview(sources, data.result.tokens.length, boxes, state.threshold));
    return {
      width: this.overviewSurface.width,
      height: this.overviewSurface.height,
      layer: String(state.layer),
      heads: formatHeads(state.heads, data.result.model.heads),
      legend: this.legendSpec(state, data, env),
      paint: (ctx) => {
        ctx.fillStyle = rgbCss(env.palette.background);
        ctx.fillRect(0, 0, this.overviewSurface.width, this.overviewSurface.height);
        const focus = state.hoverToken ?? state.lockedToken;
        if (overview) paintOverview(ctx, overview, EXPORT_SCALE);
        else if (focus !== null) paintTokenArcs(ctx, sources, data.result.tokens.length, boxes, focus, state.arcDirection, state.threshold);
        paintChips(ctx, data.result.tokens, boxes, env.palette, font, { hover: state.hoverToken, locked: state.lockedToken });
      },
    };
  }

  dispose(): void {
    this.store.dispose();
  }

  private overviewKey(state: AppState, data: DataState): string {
    return `${data.result.runId}|${state.layer}|${state.heads.join(',')}|${state.threshold}|${this.layoutWidth}|${data.result.tokens.length}`;
  }

  private clearFocus(): void {
    if (!this.focusPainted) return;
    this.focusSurface.begin();
    this.focusPainted = '';
  }

  /**
   * Shades the tokens the focused one attends to (or that attend to it) by weight, so the strongest
   * partners read at a glance even where arcs overlap.
   */
  private tintAttended(sources: readonly ArcSource[], state: AppState, size: number, env: RenderEnv, key: string): void {
    if (key === this.tintKey) return;
    this.tintKey = key;
    const focus = state.hoverToken ?? state.lockedToken;
    if (focus === null) {
      this.flow.setTints(null, null);
      return;
    }
    const accent = env.palette.accents[0] ?? env.palette.focus;
    const tints = Array.from({ length: size }, (_, other) => {
      let w = 0;
      for (const s of sources) w = Math.max(w, state.arcDirection === 'query' ? s.matrix[focus * size + other] : s.matrix[other * size + focus]);
      return other === focus || w < Math.max(state.threshold, 0.01) ? null : rgbCss(accent, 0.1 + 0.4 * w);
    });
    this.flow.setTints(tints, null);
  }

  /** Measures the chips once per width (or token change) and sizes the canvas to the whole flow. */
  private layout(): TokenBoxes {
    const width = this.scroller.clientWidth;
    if (this.boxes && width === this.layoutWidth) return this.boxes;
    this.layoutWidth = width;
    this.boxes = this.flow.measure(this.stage);
    // Sized from the flow, not the stage's scroll size, which would include the old canvas itself.
    const height = this.flow.element.offsetTop + this.flow.element.offsetHeight;
    this.overviewSurface.resize(this.stage.clientWidth, height);
    this.focusSurface.resize(this.stage.clientWidth, height);
    this.overviewPainted = '';
    this.focusPainted = '';
    this.overview = null;
    return this.boxes;
  }

  private sources(state: AppState, data: DataState, env: RenderEnv): ArcSource[] | null {
    const layer = env.cache.get(state.layer);
    if (!layer) return null;
    if (state.heads.length === 0) {
      const matrix = env.cache.matrix(state.layer, []);
      const accent = env.palette.accents[0] ?? env.palette.foreground;
      return matrix ? [{ matrix, color: rgbCss(accent) }] : null;
    }
    const n = layer.size * layer.size;
    return state.heads.map((h) => ({ matrix: layer.data.subarray(h * n, (h + 1) * n), color: env.headColors[h] ?? rgbCss(env.palette.foreground) }));
  }

  private legendSpec(state: AppState, data: DataState, env: RenderEnv): LegendSpec {
    if (state.heads.length === 0) {
      return { kind: 'heads', label: 'Arcs', colors: [rgbCss(env.palette.accents[0] ?? env.palette.foreground)], names: [`mean of ${data.result.model.heads} heads`] };
    }
    return { kind: 'heads', label: 'Heads', colors: state.heads.map((h) => env.headColors[h]), names: state.heads.map((h) => `H${h}`) };
  }
}

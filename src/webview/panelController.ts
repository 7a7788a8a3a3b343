/**
 * Wires the panel together: the single message listener (one exhaustive switch over HostToPanel), the
 * state and reducer, layer requests and cache, persistence, theme changes, rendering on animation frames,
 * and export. Views only dispatch actions and draw.
 */
import { isHostToPanel, type HostToPanel, type PanelState, type ResultMeta, type ViewKind } from '../shared/protocol';
import { ArcsView } from './arcsView';
import { createColorScale, type ColorScale } from './colorScale';
import { CompareView } from './compareView';
import { DisposableStore, type Disposable } from './disposable';
import { renderPng, type ExportedPng } from './exportPng';
import { GridView } from './gridView';
import { headColors } from './headColors';
import { HeatmapView } from './heatmapView';
import type { HostApi } from './hostApi';
import { LayerCache } from './layerCache';
import { LayerRequests, type PendingLayer } from './layerRequests';
import { keptLayers, neededLayers } from './neededLayers';
import { NextTokenView } from './nextTokenView';
import { PanelShell } from './panelShell';
import { restoreAction, samePanelState, toPanelState } from './persistedState';
import { reduce } from './reducer';
import { resultProblem } from './resultCheck';
import { dataOf, initialState, type Action, type AppState } from './state';
import { VIEW_TITLES, viewElementId } from './tabs';
import { readPalette, watchTheme, type ThemePalette } from './themePalette';
import { ThumbnailStore } from './thumbnailStore';
import type { PanelView, RenderEnv, ViewDeps } from './viewTypes';

/** How long an export waits for the current view's layers to arrive and draw. */
const EXPORT_WAIT_MS = 20_000;

export interface ControllerOptions {
  /** How long a layer request may go unanswered before the view offers a retry. */
  layerTimeoutMs?: number;
  maxInFlight?: number;
  cacheBudgetBytes?: number;
}

/** User-timing marks, read by the benchmark and visible in the webview's performance tools. */
export const MARKS = { result: 'ai:result', firstLayer: 'ai:first-layer', firstDraw: 'ai:first-draw' } as const;

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class PanelController implements Disposable {
  private state: AppState = initialState;
  private readonly store = new DisposableStore();
  private readonly cache: LayerCache;
  private readonly thumbs = new ThumbnailStore();
  private readonly requests: LayerRequests;
  private readonly shell: PanelShell;
  private readonly views = new Map<ViewKind, PanelView>();
  private readonly deps: ViewDeps;
  private palette: ThemePalette;
  private scale: ColorScale;
  private headColorList: string[] = [];
  private colorVersion = 0;
  private frame: number | null = null;
  private persisted: PanelState | null = null;
  private inEffects = false;
  /** The run whose first drawn view is still to be timed. */
  private timingRun: number | null = null;
  private sawFirstLayer = false;

  constructor(private readonly root: HTMLElement, private readonly host: HostApi, options: ControllerOptions = {}) {
    this.cache = new LayerCache(options.cacheBudgetBytes);
    const timeoutMs = options.layerTimeoutMs ?? 60_000;
    this.requests = new LayerRequests({
      send: (r) => this.host.post({ type: 'requestLayer', requestId: r.requestId, runId: r.runId, layer: r.layer }),
      onTimeout: (r) => this.onLayerTimeout(r, timeoutMs),
      timeoutMs,
      maxInFlight: options.maxInFlight ?? 2,
    });
    this.store.add(this.requests);
    this.deps = {
      dispatch: (action) => this.dispatch(action),
      state: () => this.state,
      reveal: (index) => this.host.post({ type: 'revealToken', index }),
      retryLayer: (layer) => {
        const data = dataOf(this.state);
        if (data) this.dispatch({ type: 'layerStatus', runId: data.result.runId, layer, status: { kind: 'absent' } });
      },
    };
    this.shell = this.store.add(
      new PanelShell({
        setView: (view) => this.dispatch({ type: 'setView', view }),
        exportPng: () => this.onExportButton(),
        rerun: () => this.host.post({ type: 'rerun' }),
      }),
    );
    this.palette = readPalette(document);
    this.scale = createColorScale(this.state.colorScheme, this.palette);
  }

  start(): void {
    this.root.replaceChildren(this.shell.element);
    const restore = restoreAction(this.host.getState());
    if (restore) this.dispatch(restore);
    this.persisted = toPanelState(this.state);
    this.store.listen(window, 'message', (e) => this.onMessage(e));
    this.store.listen(window, 'error', (e) => this.log('error', `panel error: ${e.message}`));
    this.store.listen(window, 'unhandledrejection', (e) => this.log('error', `panel error: ${errorText(e.reason)}`));
    this.store.add(watchTheme(document, () => this.onThemeChange()));
    this.host.post({ type: 'ready' });
    this.render();
  }

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    for (const view of this.views.values()) view.dispose();
    this.views.clear();
    this.store.dispose();
  }

  dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    if (!this.inEffects) {
      this.inEffects = true;
      try {
        this.persist();
        this.requestNeededLayers();
      } finally {
        this.inEffects = false;
      }
    }
    this.scheduleRender();
  }

  private onMessage(event: MessageEvent): void {
    const message: unknown = event.data;
    if (!isHostToPanel(message)) {
      const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
      if (typeof type === 'string') this.log('warn', `ignored a malformed "${type}" message`);
      return;
    }
    try {
      this.handle(message);
    } catch (err) {
      this.log('error', `handling "${message.type}" failed: ${errorText(err)}`);
    }
  }

  private handle(message: HostToPanel): void {
    switch (message.type) {
      case 'settings':
        this.dispatch({ type: 'settings', settings: message.settings });
        return;
      case 'loading':
        this.dispatch({ type: 'loading', message: message.message });
        return;
      case 'result':
        this.onResult(message.result);
        return;
      case 'layer':
        this.onLayer(message);
        return;
      case 'requestFailed': {
        const pending = this.requests.settle(message.requestId);
        if (pending) this.dispatch({ type: 'layerStatus', runId: pending.runId, layer: pending.layer, status: { kind: 'failed', message: message.message } });
        return;
      }
      case 'error':
        this.dispatch({ type: 'failed', message: message.message, ...(message.source ? { source: message.source } : {}) });
        return;
      case 'stale':
        this.dispatch({ type: 'stale', message: message.message });
        return;
      case 'focusToken':
        this.dispatch({ type: 'focusToken', index: message.index });
        return;
      case 'exportPng':
        this.exportCurrent().then(
          ({ png, suggestedName }) => this.host.post({ type: 'pngExported', requestId: message.requestId, png, suggestedName }),
          (err: unknown) => this.host.post({ type: 'requestFailed', requestId: message.requestId, message: errorText(err) }),
        );
        return;
      default:
        assertNever(message);
    }
  }

  private onResult(result: ResultMeta): void {
    const problem = resultProblem(result);
    if (problem) {
      this.log('error', `invalid result: ${problem}`);
      this.dispatch({ type: 'failed', message: `The inspection result cannot be shown: ${problem}.` });
      return;
    }
    performance.clearMarks();
    performance.clearMeasures();
    performance.mark(MARKS.result);
    this.timingRun = result.runId;
    this.sawFirstLayer = false;
    this.cache.reset(result.runId);
    this.thumbs.reset();
    this.requests.keepOnly(result.runId);
    this.headColorList = headColors(result.model.heads);
    this.dispatch({ type: 'result', result });
  }

  private onLayer(message: Extract<HostToPanel, { type: 'layer' }>): void {
    const pending = this.requests.settle(message.requestId);
    const data = dataOf(this.state);
    // Answers for an older result (or requests this panel never made) are dropped.
    if (!pending || !data || pending.runId !== message.runId || message.runId !== data.result.runId) return;
    const { model, tokens } = data.result;
    if (message.layer !== pending.layer || message.heads !== model.heads || message.size !== tokens.length) {
      const why = `layer ${message.layer} arrived as [${message.heads}, ${message.size}, ${message.size}], expected layer ${pending.layer} as [${model.heads}, ${tokens.length}, ${tokens.length}]`;
      this.log('error', why);
      this.dispatch({ type: 'layerStatus', runId: message.runId, layer: pending.layer, status: { kind: 'failed', message: why } });
      return;
    }
    if (!this.sawFirstLayer) {
      this.sawFirstLayer = true;
      performance.mark(MARKS.firstLayer);
    }
    const entry = { layer: message.layer, heads: message.heads, size: message.size, data: message.data };
    this.cache.put(entry);
    if (!this.thumbs.has(entry.layer)) {
      this.thumbs.build(entry);
      this.dispatch({ type: 'thumbsReady', runId: message.runId, layer: entry.layer });
    }
    this.dispatch({ type: 'layerStatus', runId: message.runId, layer: entry.layer, status: { kind: 'ready' } });
    const current = dataOf(this.state);
    if (!current) return;
    for (const layer of this.cache.trim(keptLayers(this.state, current))) {
      this.dispatch({ type: 'layerStatus', runId: message.runId, layer, status: { kind: 'absent' } });
    }
  }

  private onLayerTimeout(request: PendingLayer, timeoutMs: number): void {
    const message = `no answer from the extension within ${Math.round(timeoutMs / 1000)} s`;
    this.log('warn', `layer ${request.layer} (request ${request.requestId}): ${message}`);
    this.dispatch({ type: 'layerStatus', runId: request.runId, layer: request.layer, status: { kind: 'failed', message } });
  }

  private requestNeededLayers(): void {
    const data = dataOf(this.state);
    if (!data) return;
    const runId = data.result.runId;
    for (const layer of neededLayers(this.state, data)) {
      const status = dataOf(this.state)?.layers[layer];
      if (status?.kind !== 'absent') continue;
      if (this.cache.has(layer)) {
        this.dispatch({ type: 'layerStatus', runId, layer, status: { kind: 'ready' } });
        continue;
      }
      if (!this.requests.request(runId, layer)) break;
      this.dispatch({ type: 'layerStatus', runId, layer, status: { kind: 'pending' } });
    }
  }

  private persist(): void {
    const next = toPanelState(this.state);
    if (this.persisted && samePanelState(this.persisted, next)) return;
    this.persisted = next;
    this.host.setState(next);
  }

  private onThemeChange(): void {
    this.palette = readPalette(document);
    this.scale = createColorScale(this.state.colorScheme, this.palette);
    this.colorVersion++;
    this.scheduleRender();
  }

  private scheduleRender(): void {
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  private render(): void {
    const state = this.state;
    if (state.colorScheme !== this.scale.scheme) {
      this.scale = createColorScale(state.colorScheme, this.palette);
      this.colorVersion++;
    }
    this.shell.update(state);
    const data = dataOf(state);
    if (!data) return;
    const view = this.viewFor(state.view);
    for (const [kind, v] of this.views) v.element.hidden = kind !== state.view;
    try {
      performance.mark('render:start');
      const drew = view.render(state, data, this.env());
      performance.measure(`render:${state.view}`, 'render:start');
      if (drew && this.timingRun === data.result.runId) {
        this.timingRun = null;
        performance.mark(MARKS.firstDraw);
      }
    } catch (err) {
      this.log('error', `drawing the ${state.view} view failed: ${errorText(err)}`);
    }
  }

  private env(): RenderEnv {
    return { palette: this.palette, scale: this.scale, headColors: this.headColorList, colorVersion: this.colorVersion, cache: this.cache, thumbs: this.thumbs };
  }

  private viewFor(kind: ViewKind): PanelView {
    const existing = this.views.get(kind);
    if (existing) return existing;
    const view = this.createView(kind);
    view.element.id = viewElementId(kind);
    view.element.setAttribute('role', 'tabpanel');
    view.element.setAttribute('aria-labelledby', `tab-${kind}`);
    this.shell.viewHost.append(view.element);
    this.views.set(kind, view);
    return view;
  }

  private createView(kind: ViewKind): PanelView {
    switch (kind) {
      case 'arcs':
        return new ArcsView(this.deps);
      case 'heatmap':
        return new HeatmapView(this.deps);
      case 'grid':
        return new GridView(this.deps);
      case 'compare':
        return new CompareView(this.deps);
      case 'next':
        return new NextTokenView(this.deps);
    }
  }

  private async exportCurrent(): Promise<ExportedPng> {
    const data = dataOf(this.state);
    if (!data) throw new Error('there is nothing to export yet: inspect some text first');
    // Draw whatever is queued so the image matches the state, even when no frame has run yet.
    if (this.frame !== null) {
      cancelAnimationFrame(this.frame);
      this.frame = null;
    }
    const picture = await this.drawnPicture();
    return renderPng({ picture, viewName: VIEW_TITLES[this.state.view], result: data.result, palette: this.palette, scale: this.scale });
  }

  /**
   * The current view's picture, waiting for it when its layers are still on their way (an export asked for
   * right after the panel opened, or after a reload): rendered once per frame until drawn or EXPORT_WAIT_MS.
   */
  private async drawnPicture(): Promise<NonNullable<ReturnType<PanelView['exportPicture']>>> {
    const deadline = performance.now() + EXPORT_WAIT_MS;
    for (;;) {
      this.render();
      const picture = this.views.get(this.state.view)?.exportPicture();
      if (picture) return picture;
      if (performance.now() > deadline || !dataOf(this.state)) {
        throw new Error(`the ${VIEW_TITLES[this.state.view]} view has nothing drawn to export yet (its attention did not arrive)`);
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 50));
    }
  }

  private onExportButton(): void {
    this.exportCurrent().then(
      ({ png, suggestedName }) => this.host.post({ type: 'savePng', png, suggestedName }),
      (err: unknown) => this.log('error', `export failed: ${errorText(err)}`),
    );
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.host.post({ type: 'log', level, message });
  }
}

/** What every view gets from the controller, and what it gives back for export. */
import type { ColorScale } from './colorScale';
import type { Disposable } from './disposable';
import type { LayerCache } from './layerCache';
import type { LegendSpec } from './legend';
import type { Action, AppState, DataState } from './state';
import type { ThemePalette } from './themePalette';
import type { ThumbnailStore } from './thumbnailStore';

export interface RenderEnv {
  palette: ThemePalette;
  scale: ColorScale;
  headColors: readonly string[];
  /** Changes whenever the theme or the colour scheme changes: views repaint everything coloured. */
  colorVersion: number;
  cache: LayerCache;
  thumbs: ThumbnailStore;
}

export interface ViewDeps {
  dispatch(action: Action): void;
  /** The latest state, for key handlers that run between renders. */
  state(): AppState;
  /** The person picked a token: ask the host to reveal its source range. */
  reveal(index: number): void;
  /** Ask again for a layer whose request failed. */
  retryLayer(layer: number): void;
}

/** A view drawn for export: content size in CSS px and a painter for a context already scaled and offset. */
export interface ExportPicture {
  width: number;
  height: number;
  /** Layer and heads for the title and the PNG metadata ("all" for views over every layer). */
  layer: string;
  heads: string;
  legend: LegendSpec;
  paint(ctx: CanvasRenderingContext2D): void;
}

export interface PanelView extends Disposable {
  readonly element: HTMLElement;
  /** Brings the view up to date with the state; returns true when it drew attention (or next-token) data. */
  render(state: AppState, data: DataState, env: RenderEnv): boolean;
  exportPicture(): ExportPicture | null;
}

/** Which layers the current view needs in full, most important first. Pure: the controller requests these. */
import type { AppState, DataState } from './state';

export function neededLayers(state: AppState, data: DataState): number[] {
  switch (state.view) {
    case 'arcs':
    case 'heatmap':
      return [state.layer];
    case 'compare':
      return [...new Set(state.compare.map((p) => p.layer))];
    case 'grid': {
      // The grid needs each layer only until its thumbnails exist; the current layer first.
      const order = [state.layer, ...data.layers.map((_, l) => l).filter((l) => l !== state.layer)];
      return order.filter((l) => !data.thumbs[l]);
    }
    case 'next':
      return [];
  }
}

/** Layers the cache must not drop: what the view needs, plus the selected layer for a quick way back. */
export function keptLayers(state: AppState, data: DataState): Set<number> {
  const keep = new Set(neededLayers(state, data));
  if (state.view !== 'grid') keep.add(state.layer);
  for (const p of state.compare) if (state.view === 'compare') keep.add(p.layer);
  return keep;
}

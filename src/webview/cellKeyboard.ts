/**
 * Keyboard on a query x key matrix (Heatmap and each Compare map): arrows move the focused cell, Enter or
 * Space locks it and reveals its query token in the editor, Escape unlocks.
 */
import { moveCell } from './heatmapLayout';
import { focusedCell } from './state';
import type { ViewDeps } from './viewTypes';

export function handleCellKey(e: KeyboardEvent, deps: Pick<ViewDeps, 'state' | 'dispatch' | 'reveal'>): void {
  const state = deps.state();
  if (state.ui.kind !== 'data') return;
  const current = focusedCell(state);
  if (e.key === 'Enter' || e.key === ' ') {
    if (current) {
      deps.dispatch({ type: 'clickCell', cell: current });
      deps.reveal(current.query);
    }
    e.preventDefault();
    return;
  }
  if (e.key === 'Escape') {
    deps.dispatch({ type: 'unlock' });
    return;
  }
  const next = moveCell(current, e.key, state.ui.result.tokens.length);
  if (!next) return;
  e.preventDefault();
  deps.dispatch({ type: 'hoverCell', cell: next });
}

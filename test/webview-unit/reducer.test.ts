import assert from 'node:assert/strict';
import { reduce } from '../../src/webview/reducer';
import { focusedCell, focusedToken, initialState, type Action, type AppState } from '../../src/webview/state';
import { result } from './fixtures';

const run = (state: AppState, ...actions: Action[]): AppState => actions.reduce(reduce, state);
const withData = (runId = 7): AppState => run(initialState, { type: 'result', result: result(runId) });

describe('reducer', () => {
  it('goes empty -> loading -> data -> error', () => {
    let s = run(initialState, { type: 'loading', message: 'Running stories260K…' });
    assert.deepEqual(s.ui, { kind: 'loading', message: 'Running stories260K…' });
    s = reduce(s, { type: 'result', result: result() });
    assert.equal(s.ui.kind, 'data');
    if (s.ui.kind === 'data') {
      assert.equal(s.ui.layers.length, 3);
      assert.ok(s.ui.layers.every((l) => l.kind === 'absent'));
      assert.equal(s.ui.stale, null);
    }
    s = reduce(s, { type: 'failed', message: 'the model file is corrupt' });
    assert.deepEqual(s.ui, { kind: 'error', message: 'the model file is corrupt', source: null });
  });

  it('keeps the source a failed run was asked to inspect beside the last result', () => {
    const last = withData();
    const other = { ...result().source, startLine: 4, endLine: 4, startOffset: 120 };
    const s = reduce(last, { type: 'failed', message: 'The selection is too long', source: other });
    assert.deepEqual(s.ui, { kind: 'error', message: 'The selection is too long', source: other });
    assert.deepEqual(s.source, last.source, 'Re-run still means the last result');
  });

  it('starts a new result with all heads unless heads were chosen, and clamps to the model', () => {
    const s = withData();
    assert.deepEqual(s.heads, [0, 1, 2, 3]);
    const chosen = run(initialState, { type: 'restored', source: null, view: 'heatmap', layer: 9, heads: [1, 9], compare: [{ layer: 8, head: 8 }, { layer: 0, head: 0 }], threshold: 0.2 }, { type: 'result', result: result() });
    assert.equal(chosen.layer, 2);
    assert.deepEqual(chosen.heads, [1]);
    assert.deepEqual(chosen.compare, [
      { layer: 2, head: 3 },
      { layer: 0, head: 0 },
    ]);
    assert.equal(chosen.view, 'heatmap');
  });

  it('keeps "mean" (no heads) across results, and falls back to all heads when the chosen ones do not exist', () => {
    const mean = run(withData(), { type: 'setHeads', heads: [] }, { type: 'result', result: result(8) });
    assert.deepEqual(mean.heads, []);
    const lost = run(initialState, { type: 'restored', source: null, view: 'arcs', layer: 0, heads: [6], compare: [], threshold: 0.05 }, { type: 'result', result: result() });
    assert.deepEqual(lost.heads, [0, 1, 2, 3]);
  });

  it('defaults Compare to the first and last layer', () => {
    assert.deepEqual(withData().compare, [
      { layer: 0, head: 0 },
      { layer: 2, head: 0 },
    ]);
  });

  it('lets hover win over a click lock, and a second click unlocks', () => {
    let s = run(withData(), { type: 'clickToken', index: 2 });
    assert.equal(focusedToken(s), 2);
    s = reduce(s, { type: 'hoverToken', index: 4 });
    assert.equal(focusedToken(s), 4);
    s = reduce(s, { type: 'hoverToken', index: null });
    assert.equal(focusedToken(s), 2);
    s = reduce(s, { type: 'clickToken', index: 2 });
    assert.equal(focusedToken(s), null);
  });

  it('does the same for heatmap cells', () => {
    let s = run(withData(), { type: 'clickCell', cell: { query: 3, key: 1 } }, { type: 'hoverCell', cell: { query: 4, key: 0 } });
    assert.deepEqual(focusedCell(s), { query: 4, key: 0 });
    s = reduce(s, { type: 'hoverCell', cell: null });
    assert.deepEqual(focusedCell(s), { query: 3, key: 1 });
    assert.equal(focusedToken(s), 3);
  });

  it('ignores token and cell indices outside the result, and returns the same state for no-ops', () => {
    const s = withData();
    assert.equal(reduce(s, { type: 'hoverToken', index: 99 }), s);
    assert.equal(reduce(s, { type: 'clickCell', cell: { query: 0, key: 5 } }), s);
    assert.equal(reduce(s, { type: 'hoverToken', index: null }), s);
    assert.equal(reduce(s, { type: 'setLayer', layer: 0 }), s);
  });

  it('locks the token the host focuses, and unlocks on null', () => {
    let s = run(withData(), { type: 'hoverToken', index: 1 }, { type: 'focusToken', index: 3 });
    assert.equal(s.lockedToken, 3);
    assert.equal(s.hoverToken, null);
    s = reduce(s, { type: 'focusToken', index: null });
    assert.equal(s.lockedToken, null);
    assert.equal(reduce(s, { type: 'focusToken', index: 42 }), s);
  });

  it('applies settings.defaultView only until a view is chosen', () => {
    let s = reduce(initialState, { type: 'settings', settings: { defaultView: 'heatmap', colorScheme: 'viridis', topK: 5 } });
    assert.equal(s.view, 'heatmap');
    assert.equal(s.colorScheme, 'viridis');
    s = reduce(s, { type: 'setView', view: 'grid' });
    s = reduce(s, { type: 'settings', settings: { defaultView: 'next', colorScheme: 'theme', topK: 5 } });
    assert.equal(s.view, 'grid');
  });

  it('toggles heads but never removes the last one', () => {
    let s = run(withData(), { type: 'setHeads', heads: [2] });
    assert.equal(reduce(s, { type: 'toggleHead', head: 2 }), s);
    s = reduce(s, { type: 'toggleHead', head: 0 });
    assert.deepEqual(s.heads, [0, 2]);
    s = reduce(s, { type: 'setHeads', heads: [] });
    s = reduce(s, { type: 'toggleHead', head: 3 });
    assert.deepEqual(s.heads, [3]);
  });

  it('tracks layer status only for the current run', () => {
    let s = withData(7);
    s = reduce(s, { type: 'layerStatus', runId: 7, layer: 1, status: { kind: 'pending' } });
    assert.equal(s.ui.kind === 'data' && s.ui.layers[1].kind, 'pending');
    assert.equal(reduce(s, { type: 'layerStatus', runId: 6, layer: 1, status: { kind: 'ready' } }), s);
    assert.equal(reduce(s, { type: 'layerStatus', runId: 7, layer: 5, status: { kind: 'ready' } }), s);
    s = reduce(s, { type: 'thumbsReady', runId: 7, layer: 2 });
    assert.deepEqual(s.ui.kind === 'data' && s.ui.thumbs, [false, false, true]);
  });

  it('keeps between 2 and 4 compared pairs', () => {
    let s = withData();
    assert.equal(reduce(s, { type: 'removeComparePair', slot: 0 }), s);
    s = run(s, { type: 'addComparePair' }, { type: 'addComparePair' });
    assert.equal(s.compare.length, 4);
    assert.deepEqual(s.compare[2], { layer: 2, head: 1 });
    assert.equal(reduce(s, { type: 'addComparePair' }), s);
    s = reduce(s, { type: 'setComparePair', slot: 3, pair: { layer: 7, head: -1 } });
    assert.deepEqual(s.compare[3], { layer: 2, head: 0 });
    s = reduce(s, { type: 'removeComparePair', slot: 1 });
    assert.equal(s.compare.length, 3);
  });

  it('marks data stale, and without data shows the stale reason with the source', () => {
    const stale = reduce(withData(), { type: 'stale', message: 'the document changed' });
    assert.equal(stale.ui.kind === 'data' && stale.ui.stale, 'the document changed');
    const restored = run(initialState, { type: 'restored', source: result().source, view: 'arcs', layer: 0, heads: [], compare: [], threshold: 0.05 }, { type: 'stale', message: 'could not restore' });
    assert.deepEqual(restored.ui, { kind: 'empty', restoredSource: result().source, message: 'could not restore' });
  });

  it('opens a grid thumbnail in the chosen view with that single head', () => {
    const s = run(withData(), { type: 'setView', view: 'grid' }, { type: 'setGridTarget', target: 'arcs' }, { type: 'openHead', pair: { layer: 1, head: 3 } });
    assert.equal(s.view, 'arcs');
    assert.equal(s.layer, 1);
    assert.deepEqual(s.heads, [3]);
  });

  it('clamps the threshold to [0, 1]', () => {
    assert.equal(reduce(withData(), { type: 'setThreshold', threshold: 3 }).threshold, 1);
    assert.equal(reduce(withData(), { type: 'setThreshold', threshold: -1 }).threshold, 0);
  });
});

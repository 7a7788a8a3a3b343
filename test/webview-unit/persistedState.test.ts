import assert from 'node:assert/strict';
import { restoreAction, samePanelState, toPanelState } from '../../src/webview/persistedState';
import { reduce } from '../../src/webview/reducer';
import { initialState } from '../../src/webview/state';
import { result } from './fixtures';

describe('persisted state', () => {
  it('round-trips the small UI state through JSON, without any tensor', () => {
    let s = reduce(initialState, { type: 'result', result: result() });
    s = reduce(s, { type: 'setView', view: 'compare' });
    s = reduce(s, { type: 'setLayer', layer: 2 });
    s = reduce(s, { type: 'setThreshold', threshold: 0.12 });
    const saved = JSON.parse(JSON.stringify(toPanelState(s))) as unknown;
    assert.ok(JSON.stringify(saved).length < 1000);
    const action = restoreAction(saved);
    assert.ok(action && action.type === 'restored');
    const restored = reduce(initialState, action);
    assert.ok(samePanelState(toPanelState(restored), toPanelState(s)));
    assert.deepEqual(restored.ui, { kind: 'empty', restoredSource: result().source, message: null });
  });

  it('rejects what is not a saved panel state', () => {
    assert.equal(restoreAction(undefined), null);
    assert.equal(restoreAction('arcs'), null);
    assert.equal(restoreAction({ view: 'piechart' }), null);
  });

  it('repairs damaged fields instead of trusting them', () => {
    const action = restoreAction({ view: 'arcs', layer: -2, heads: [1, 'x', 2.5, 3], compare: [{ layer: 1, head: 0 }, { layer: 'a' }], threshold: 'high', source: { fileName: 3 } });
    assert.deepEqual(action, { type: 'restored', source: null, view: 'arcs', layer: 0, heads: [1, 3], compare: [{ layer: 1, head: 0 }], threshold: 0.05 });
  });
});

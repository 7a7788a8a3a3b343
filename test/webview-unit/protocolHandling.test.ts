import assert from 'node:assert/strict';
import { isHostToPanel, type HostToPanel } from '../../src/shared/protocol';
import { exportMetadata, exportTitle, suggestedName } from '../../src/webview/exportPng';
import { formatHeads, formatPercent, formatSource, safeFileStem } from '../../src/webview/format';
import { keptLayers, neededLayers } from '../../src/webview/neededLayers';
import { reduce } from '../../src/webview/reducer';
import { resultProblem } from '../../src/webview/resultCheck';
import { initialState, type AppState, type DataState } from '../../src/webview/state';
import { displayToken, quoteLabel } from '../../src/webview/tokenLabels';
import type { ExportPicture } from '../../src/webview/viewTypes';
import { result } from './fixtures';

function dataState(view: AppState['view']): { state: AppState; data: DataState } {
  const state = reduce(reduce(initialState, { type: 'result', result: result() }), { type: 'setView', view });
  if (state.ui.kind !== 'data') throw new Error('expected data');
  return { state, data: state.ui };
}

describe('protocol handling', () => {
  it('accepts host messages the panel handles and rejects malformed ones', () => {
    const layer: HostToPanel = { type: 'layer', requestId: 1, runId: 1, layer: 0, heads: 2, size: 2, data: new Float32Array(8) };
    assert.equal(isHostToPanel(layer), true);
    assert.equal(isHostToPanel({ ...layer, data: new Float32Array(7) }), false);
    assert.equal(isHostToPanel({ ...layer, data: Array.from({ length: 8 }, () => 0) }), false, 'JSON numbers are not a layer');
    assert.equal(isHostToPanel({ type: 'exportPng' }), false);
    assert.equal(isHostToPanel({ type: 'focusToken', index: null }), true);
    assert.equal(isHostToPanel({ type: 'nonsense' }), false);
  });

  it('finds what is wrong with a result before any view indexes into it', () => {
    assert.equal(resultProblem(result()), null);
    assert.match(resultProblem({ ...result(), tokens: [] }) ?? '', /no tokens/);
    assert.match(resultProblem({ ...result(), next: [{ position: 99, top: [], actual: null, entropy: 0 }] }) ?? '', /next-token/);
    assert.match(resultProblem({ ...result(), model: { ...result().model, heads: 0 } }) ?? '', /model/);
  });

  it('requests only the layers the current view needs', () => {
    assert.deepEqual(neededLayers(dataState('arcs').state, dataState('arcs').data), [0]);
    assert.deepEqual(neededLayers(dataState('next').state, dataState('next').data), []);
    const compare = dataState('compare');
    assert.deepEqual(neededLayers(compare.state, compare.data), [0, 2]);
    const grid = dataState('grid');
    assert.deepEqual(neededLayers(grid.state, grid.data), [0, 1, 2]);
    const built = reduce(grid.state, { type: 'thumbsReady', runId: 7, layer: 1 });
    assert.ok(built.ui.kind === 'data');
    assert.deepEqual(neededLayers(built, built.ui), [0, 2], 'the grid needs a layer only until its thumbnails exist');
    assert.deepEqual([...keptLayers(built, built.ui)], [0, 2]);
  });

  it('describes exports in the title, the PNG text and the file name', () => {
    const picture: ExportPicture = { width: 100, height: 80, layer: '2', heads: 'head 3', legend: { kind: 'scale', label: 'w', max: 1, format: 'weight' }, paint: () => undefined };
    const req = { picture, viewName: 'Heatmap', result: result(), palette: null as never, scale: null as never };
    assert.equal(exportTitle(req), 'tiny · Heatmap · layer 2 · head 3 · story.md, lines 3–5');
    const meta = new Map(exportMetadata(req).map((e) => [e.keyword, e.text]));
    assert.equal(meta.get('Model'), 'tiny');
    assert.equal(meta.get('Layer'), '2');
    assert.equal(meta.get('Heads'), 'head 3');
    assert.match(meta.get('Source') ?? '', /story\.md, lines 3-5 \(file:\/\/\/story\.md\)/);
    assert.equal(meta.get('Title'), 'tiny · Heatmap · layer 2 · head 3 · story.md, lines 3-5', 'Latin-1 punctuation keeps it a tEXt chunk');
    assert.equal(suggestedName(req), 'story-heatmap-L2.png');
  });

  it('formats what the panel shows', () => {
    assert.equal(formatPercent(0.98264), '98.3%');
    assert.equal(formatPercent(0.0004), '<0.1%');
    assert.equal(formatPercent(0), '0.0%');
    assert.equal(formatSource({ ...result().source, startLine: 4, endLine: 4 }), 'story.md, line 5');
    assert.equal(formatHeads([], 8), 'mean of 8 heads');
    assert.equal(formatHeads([0, 1, 2, 3, 4, 5, 6, 7], 8), 'all 8 heads');
    assert.equal(formatHeads([2, 5], 8), 'heads 2, 5');
    assert.equal(safeFileStem('my notes.v2.md'), 'my-notes-v2');
    assert.equal(safeFileStem('...'), 'attention');
  });

  it('shows tokens as words: leading spaces become gaps, newlines break lines', () => {
    assert.deepEqual(displayToken({ id: 5, text: ' Once', start: 0, end: 5, special: false }), { text: 'Once', wordStart: true, lineBreak: false, special: false });
    assert.deepEqual(displayToken({ id: 1, text: '<s>', start: 0, end: 0, special: true }), { text: '<s>', wordStart: false, lineBreak: false, special: true });
    assert.equal(displayToken({ id: 6, text: ' ', start: 0, end: 1, special: false }).text, '␣');
    assert.equal(displayToken({ id: 7, text: '↵', start: 3, end: 4, special: false }, 'abc\nd').lineBreak, true);
    assert.equal(quoteLabel(' upon'), '“ upon”');
    assert.equal(quoteLabel('\n'), '“↵”');
  });
});

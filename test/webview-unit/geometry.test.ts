import assert from 'node:assert/strict';
import { gridGeometry, moveThumb, thumbAt, thumbOrigin } from '../../src/webview/gridLayout';
import { cellAt, heatmapGeometry, moveCell, tickStep } from '../../src/webview/heatmapLayout';

describe('heatmap geometry', () => {
  it('fits the matrix into the box and maps points to cells (rows = queries)', () => {
    const g = heatmapGeometry(100, 600, 500);
    assert.ok(g.width <= 600 && g.height <= 500);
    assert.equal(g.labels, false);
    assert.deepEqual(cellAt(g, g.left + 0.5, g.top + 0.5), { query: 0, key: 0 });
    assert.deepEqual(cellAt(g, g.left + 7.5 * g.cell, g.top + 42.5 * g.cell), { query: 42, key: 7 });
    assert.equal(cellAt(g, g.left - 1, g.top + 1), null);
    assert.equal(cellAt(g, g.left + 100 * g.cell + 1, g.top + 1), null);
  });

  it('shows token labels when cells are big enough, and caps the cell size', () => {
    const g = heatmapGeometry(12, 800, 800);
    assert.equal(g.labels, true);
    assert.ok(g.cell <= 28);
  });

  it('keeps cells under a pixel for very long texts instead of overflowing', () => {
    const g = heatmapGeometry(1024, 500, 500);
    assert.ok(g.cell < 1 && g.width <= 500);
  });

  it('spaces ticks so labels do not collide', () => {
    assert.equal(tickStep(30), 1);
    assert.equal(tickStep(5), 10);
    assert.equal(tickStep(1), 50);
  });

  it('moves a keyboard cursor within the matrix', () => {
    assert.deepEqual(moveCell(null, 'ArrowDown', 5), { query: 1, key: 0 });
    assert.deepEqual(moveCell({ query: 4, key: 4 }, 'ArrowDown', 5), { query: 4, key: 4 });
    assert.deepEqual(moveCell({ query: 2, key: 3 }, 'Home', 5), { query: 2, key: 0 });
    assert.deepEqual(moveCell({ query: 2, key: 3 }, 'End', 5), { query: 2, key: 4 });
    assert.equal(moveCell({ query: 2, key: 3 }, 'a', 5), null);
  });
});

describe('grid geometry', () => {
  it('lays out layers as rows and heads as columns, gaps excluded from hits', () => {
    const g = gridGeometry(5, 8, 900);
    assert.ok(g.width <= 900);
    const o = thumbOrigin(g, { layer: 2, head: 3 });
    assert.deepEqual(thumbAt(g, o.x + 1, o.y + 1), { layer: 2, head: 3 });
    assert.equal(thumbAt(g, o.x + g.thumb + 1, o.y + 1), null);
    assert.equal(thumbAt(g, 1, 1), null);
    assert.deepEqual(moveThumb({ layer: 0, head: 7 }, 'ArrowRight', 5, 8), { layer: 0, head: 7 });
    assert.deepEqual(moveThumb(null, 'ArrowDown', 5, 8), { layer: 1, head: 0 });
  });

  it('never makes thumbnails smaller than readable, even in a narrow panel', () => {
    assert.equal(gridGeometry(12, 12, 200).thumb, 36);
  });
});

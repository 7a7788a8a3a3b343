import assert from 'node:assert/strict';
import { ARC_BAND, ARC_BUCKETS, arcBucket, BUCKET_STYLES, emptyBoxes, overviewFloor, traceAllArcs, traceArc, traceTokenArcs, type PathSink, type TokenBoxes } from '../../src/webview/arcLayout';
import { causalLayer } from './fixtures';

/** Records path commands with their points, for geometry checks. */
class Recorder implements PathSink {
  readonly ops: { op: string; pts: number[] }[] = [];
  moveTo(x: number, y: number): void {
    this.ops.push({ op: 'M', pts: [x, y] });
  }
  quadraticCurveTo(cx: number, cy: number, x: number, y: number): void {
    this.ops.push({ op: 'Q', pts: [cx, cy, x, y] });
  }
  bezierCurveTo(a: number, b: number, c: number, d: number, x: number, y: number): void {
    this.ops.push({ op: 'C', pts: [a, b, c, d, x, y] });
  }
  get arcs(): number {
    return this.ops.filter((o) => o.op === 'M').length;
  }
}

/** Two lines of tokens: 0..2 on line 0, 3..4 on line 1; chips 20 px tall, lines 60 px apart. */
function boxes(): TokenBoxes {
  const b = emptyBoxes(5);
  const xs = [10, 50, 90, 10, 60];
  xs.forEach((x, i) => {
    const line = i < 3 ? 0 : 1;
    b.cx[i] = x;
    b.width[i] = 30;
    b.top[i] = 40 + line * 60;
    b.bottom[i] = 60 + line * 60;
    b.line[i] = line;
  });
  return b;
}

describe('arc layout', () => {
  it('draws an arch above the line between two tokens on the same line, never above the band', () => {
    const r = new Recorder();
    traceArc(r, boxes(), 2, 0);
    assert.deepEqual(r.ops[0], { op: 'M', pts: [90, 40] });
    const [cx, cy, x, y] = r.ops[1].pts;
    assert.equal(r.ops[1].op, 'Q');
    assert.deepEqual([x, y], [10, 40]);
    assert.equal(cx, 50);
    const peak = 40 - (40 - cy) / 2;
    assert.ok(peak < 40 && peak >= 40 - ARC_BAND, `peak ${peak} outside the arc band`);
  });

  it('grows the arch with the distance between the tokens', () => {
    const near = new Recorder();
    const far = new Recorder();
    traceArc(near, boxes(), 1, 0);
    traceArc(far, boxes(), 2, 0);
    assert.ok(far.ops[1].pts[1] < near.ops[1].pts[1]);
  });

  it('runs from the query up into the bottom of a key on an earlier line', () => {
    const r = new Recorder();
    traceArc(r, boxes(), 4, 1);
    assert.deepEqual(r.ops[0].pts, [60, 100]);
    assert.equal(r.ops[1].op, 'C');
    assert.deepEqual(r.ops[1].pts.slice(4), [50, 60]);
  });

  it('draws a small loop for a token attending to itself', () => {
    const r = new Recorder();
    traceArc(r, boxes(), 3, 3);
    assert.equal(r.ops[1].op, 'C');
    assert.ok(r.ops[1].pts[1] < 100);
  });

  it('buckets weights at or above the threshold, monotonically, strongest in the last bucket', () => {
    assert.equal(arcBucket(0.04, 0.05), -1);
    assert.equal(arcBucket(0, 0), -1);
    assert.equal(arcBucket(Number.NaN, 0), -1);
    assert.equal(arcBucket(0.05, 0.05), 0);
    assert.equal(arcBucket(1, 0.05), ARC_BUCKETS - 1);
    let last = 0;
    for (let w = 0.05; w <= 1; w += 0.01) {
      const b = arcBucket(w, 0.05);
      assert.ok(b >= last);
      last = b;
    }
    for (let b = 1; b < ARC_BUCKETS; b++) {
      assert.ok(BUCKET_STYLES[b].alpha > BUCKET_STYLES[b - 1].alpha && BUCKET_STYLES[b].width > BUCKET_STYLES[b - 1].width);
    }
  });

  it('traces exactly the weights at or above the threshold, each into its bucket', () => {
    const size = 5;
    const m = causalLayer(1, size);
    const sinks = Array.from({ length: ARC_BUCKETS }, () => new Recorder());
    const count = traceAllArcs(m, size, boxes(), 0.2, sinks);
    const expected = Array.from(m).filter((w) => w >= 0.2).length;
    assert.equal(count, expected);
    assert.equal(
      sinks.reduce((n, s) => n + s.arcs, 0),
      expected,
    );
    for (let i = 0; i < m.length; i++) {
      if (m[i] >= 0.2) assert.ok(sinks[arcBucket(m[i], 0.2)].arcs > 0);
    }
  });

  it('traces one token as query (its row) or as key (its column), and skips null sinks', () => {
    const size = 5;
    const m = causalLayer(1, size);
    const all = Array.from({ length: ARC_BUCKETS }, () => new Recorder());
    assert.equal(traceTokenArcs(m, size, boxes(), 4, 'query', 0, all), 5);
    assert.equal(traceTokenArcs(m, size, boxes(), 0, 'key', 0, all), 5);
    assert.equal(traceTokenArcs(m, size, boxes(), 4, 'key', 0, all), 1);
    const one = new Recorder();
    const only: (PathSink | null)[] = new Array<PathSink | null>(ARC_BUCKETS).fill(null);
    only[ARC_BUCKETS - 1] = one;
    const strong = traceTokenArcs(m, size, boxes(), 4, 'query', 0, only);
    assert.equal(strong, one.arcs);
    assert.ok(strong < 5);
  });
});

describe('overview arc budget', () => {
  it('keeps the threshold when few enough weights pass it', () => {
    const m = Float32Array.from([0.5, 0.3, 0.01, 0.2]);
    assert.deepEqual(overviewFloor([m], 0.1, 10), { floor: 0.1, arcs: 3 });
  });

  it('raises the floor to keep only the strongest arcs within the budget', () => {
    const a = Float32Array.from({ length: 1000 }, (_, i) => i / 1000);
    const b = Float32Array.from({ length: 1000 }, (_, i) => (i % 500) / 1000);
    const { floor, arcs } = overviewFloor([a, b], 0.05, 300);
    const kept = [...a, ...b].filter((w) => w >= floor).length;
    assert.ok(arcs <= 300 && kept <= 300, `kept ${kept}`);
    assert.ok(kept >= 290, `the budget is nearly used (${kept})`);
    assert.ok([...a, ...b].filter((w) => w >= floor).every((w) => w >= Math.max(...[...a, ...b].filter((x) => x < floor))));
  });
});

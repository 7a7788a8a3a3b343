import assert from 'node:assert/strict';
import { RequestTracker } from '../../src/extension/requestTracker';

describe('extension: panel request tracker', () => {
  it('resolves a request by its id, once', async () => {
    const tracker = new RequestTracker<string>();
    const { id, promise } = tracker.start(1000, () => new Error('timeout'));
    assert.deepEqual(tracker.ids(), [id]);
    assert.equal(tracker.resolve(id, 'png'), true);
    assert.equal(await promise, 'png');
    assert.equal(tracker.resolve(id, 'again'), false, 'a late or repeated answer is ignored');
    assert.equal(tracker.size, 0);
  });

  it('gives every request its own id and rejects by id', async () => {
    const tracker = new RequestTracker<number>();
    const a = tracker.start(1000, () => new Error('timeout'));
    const b = tracker.start(1000, () => new Error('timeout'));
    assert.notEqual(a.id, b.id);
    tracker.reject(a.id, new Error('panel failed'));
    await assert.rejects(a.promise, /panel failed/);
    tracker.resolve(b.id, 2);
    assert.equal(await b.promise, 2);
  });

  it('times out with the given error, so nothing waits forever', async () => {
    const tracker = new RequestTracker<number>();
    const { id, promise } = tracker.start(20, () => new Error('no answer within 0.02 s'));
    await assert.rejects(promise, /no answer/);
    assert.equal(tracker.has(id), false);
    assert.equal(tracker.resolve(id, 1), false);
  });

  it('rejectAll ends everything pending (panel closed)', async () => {
    const tracker = new RequestTracker<number>();
    const all = [tracker.start(1000, () => new Error('t')), tracker.start(1000, () => new Error('t'))];
    tracker.rejectAll(new Error('closed'));
    for (const r of all) await assert.rejects(r.promise, /closed/);
    assert.equal(tracker.size, 0);
  });

  it('ignores an unknown id', () => {
    const tracker = new RequestTracker<number>();
    assert.equal(tracker.reject(42, new Error('x')), false);
  });
});

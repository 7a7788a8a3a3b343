import assert from 'node:assert/strict';
import { LayerRequests, type PendingLayer } from '../../src/webview/layerRequests';

function setup(maxInFlight = 2) {
  const sent: PendingLayer[] = [];
  const timedOut: PendingLayer[] = [];
  const timers = new Map<number, () => void>();
  let nextTimer = 1;
  const requests = new LayerRequests({
    send: (r) => sent.push(r),
    onTimeout: (r) => timedOut.push(r),
    timeoutMs: 1000,
    maxInFlight,
    setTimer: (fn) => {
      const id = nextTimer++;
      timers.set(id, fn);
      return id;
    },
    clearTimer: (id) => timers.delete(id as number),
  });
  const fireAll = (): void => {
    const fns = [...timers.values()];
    timers.clear();
    fns.forEach((fn) => fn());
  };
  return { requests, sent, timedOut, timers, fireAll };
}

describe('layer requests', () => {
  it('sends one request per layer with fresh ids, up to the in-flight limit', () => {
    const { requests, sent } = setup(2);
    assert.equal(requests.request(1, 0), true);
    assert.equal(requests.request(1, 0), false, 'the same layer is already pending');
    assert.equal(requests.request(1, 1), true);
    assert.equal(requests.request(1, 2), false, 'two in flight');
    assert.deepEqual(
      sent.map((r) => [r.requestId, r.layer]),
      [
        [1, 0],
        [2, 1],
      ],
    );
    assert.equal(requests.inFlight(1), 2);
  });

  it('settles answers once; unknown ids settle to undefined', () => {
    const { requests, timers } = setup();
    requests.request(1, 3);
    assert.deepEqual(requests.settle(1), { requestId: 1, runId: 1, layer: 3 });
    assert.equal(requests.settle(1), undefined);
    assert.equal(requests.settle(77), undefined);
    assert.equal(timers.size, 0, 'the deadline is cleared');
  });

  it('forgets other runs, so their late answers are ignored', () => {
    const { requests } = setup();
    requests.request(1, 0);
    requests.request(2, 0);
    requests.keepOnly(2);
    assert.equal(requests.settle(1), undefined);
    assert.equal(requests.isPending(2, 0), true);
  });

  it('reports a request that got no answer in time, and forgets it', () => {
    const { requests, timedOut, fireAll } = setup();
    requests.request(4, 2);
    fireAll();
    assert.deepEqual(timedOut, [{ requestId: 1, runId: 4, layer: 2 }]);
    assert.equal(requests.settle(1), undefined);
    assert.equal(requests.request(4, 2), true, 'it can be asked again');
  });

  it('clears every deadline on dispose', () => {
    const { requests, timers, timedOut } = setup();
    requests.request(1, 0);
    requests.request(1, 1);
    requests.dispose();
    assert.equal(timers.size, 0);
    assert.equal(timedOut.length, 0);
  });
});

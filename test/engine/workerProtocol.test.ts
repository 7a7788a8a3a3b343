import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { transferablesOf } from '../../src/engine/workerProtocol';

describe('worker protocol', () => {
  it('transferablesOf finds every typed array buffer once, however deep', () => {
    const a = new Float32Array(8);
    const b = new Float32Array(4);
    const shared = a.subarray(2, 4);
    const list = transferablesOf({ x: [a, { y: b, z: shared }], n: 3, s: 'text', nothing: null });
    assert.deepEqual(list, [a.buffer, b.buffer]);
  });

  it('leaves detached buffers out, so re-sending one fails loudly instead of the message vanishing', async () => {
    const { port1, port2 } = new MessageChannel();
    const received: unknown[] = [];
    port2.on('message', (m) => received.push(m));
    const a = new Float32Array([1, 2, 3]);
    port1.postMessage({ a }, transferablesOf({ a }));
    assert.equal(a.byteLength, 0, 'the first message transferred it');
    assert.deepEqual(transferablesOf({ again: a }), []);
    assert.throws(() => port1.postMessage({ again: a }, transferablesOf({ again: a })), /detached/);
    await new Promise((r) => setTimeout(r, 50));
    port1.close();
    port2.close();
    assert.equal(received.length, 1);
  });
});

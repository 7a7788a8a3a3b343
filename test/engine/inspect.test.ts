import assert from 'node:assert/strict';
import { EngineModel } from '../../src/engine/engineModel';
import { loadLlama2cFolder } from '../../src/engine/formats/llama2c';
import { inspect } from '../../src/engine/inspect';
import type { Model } from '../../src/engine/model';
import { referenceForward } from '../../src/engine/reference';
import { randomGpt2Model } from '../../src/engine/testing/randomModels';
import { STORIES_DIR } from '../helpers/stories260K';
import { rejectsWith } from '../helpers/assertions';

/** Softmax of one reference logits row, in float64. */
function referenceProbs(logits: Float32Array, row: number, vocab: number): Float64Array {
  const slice = logits.subarray(row * vocab, (row + 1) * vocab);
  const max = slice.reduce((m, x) => Math.max(m, x), -Infinity);
  const e = Float64Array.from(slice, (x) => Math.exp(x - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

describe('inspect() on stories260K', function () {
  let model: Model;
  let engine: EngineModel;

  before(async () => {
    const loaded = await loadLlama2cFolder(STORIES_DIR);
    model = loaded.model;
    engine = await EngineModel.create(loaded.model, loaded.tokenizer);
  });
  after(() => engine.dispose());

  const text = 'Lily and Ben went to the park. They saw a big dog! 今天天气很好 🙂';

  it('returns every layer and head, equal to the plain TypeScript forward pass', async () => {
    const result = await inspect(engine, { text });
    const ids = result.tokens.map((t) => t.id);
    const ref = referenceForward(model, ids);
    const T = ids.length;
    assert.equal(result.attention.length, 5);
    for (const layer of result.attention) {
      assert.equal(layer.heads, 8);
      assert.equal(layer.size, T);
      assert.equal(layer.data.length, 8 * T * T);
      const expected = ref.attention[layer.layer];
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(layer.data[i] - expected[i]));
      assert.ok(worst < 1e-5, `layer ${layer.layer}: max |Δ| ${worst}`);
    }
  });

  it('reports for every position the top-k, the actual next token and the entropy of the real softmax', async () => {
    const result = await inspect(engine, { text }, { topK: 7 });
    const ids = result.tokens.map((t) => t.id);
    const ref = referenceForward(model, ids);
    const V = model.config.vocab;
    assert.equal(result.next.length, ids.length);
    for (const info of result.next) {
      const p = referenceProbs(ref.logits, info.position, V);
      const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a]);
      assert.equal(info.top.length, 7);
      info.top.forEach((t, i) => {
        assert.equal(t.id, order[i], `position ${info.position}, rank ${i + 1}`);
        assert.ok(Math.abs(t.p - p[t.id]) < 1e-5);
        assert.equal(t.text, engine.label(t.id));
      });
      const entropy = -p.reduce((acc, pi) => acc + (pi > 0 ? pi * Math.log(pi) : 0), 0);
      assert.ok(Math.abs(info.entropy - entropy) < 1e-4, `entropy ${info.entropy} vs ${entropy}`);
      if (info.position === ids.length - 1) {
        assert.equal(info.actual, null);
      } else {
        const actual = ids[info.position + 1];
        assert.ok(info.actual);
        assert.equal(info.actual.id, actual);
        assert.ok(Math.abs(info.actual.p - p[actual]) < 1e-5);
        assert.equal(info.actual.rank, order.indexOf(actual) + 1);
      }
    }
  });

  it('fetches only the layers and outputs asked for', async () => {
    const some = await inspect(engine, { text }, { layers: [3, 1, 3] });
    assert.deepEqual(some.attention.map((a) => a.layer), [1, 3]);
    const full = await inspect(engine, { text });
    assert.deepEqual(some.attention[1].data, full.attention[3].data);
    const none = await inspect(engine, { text }, { layers: [], next: false });
    assert.equal(none.attention.length, 0);
    assert.equal(none.next.length, 0);
    assert.equal(none.tokens.length, full.tokens.length);
  });

  it('uses ids exactly as given, without adding BOS', async () => {
    const result = await inspect(engine, { ids: [400, 300, 301] });
    assert.deepEqual(result.tokens.map((t) => t.id), [400, 300, 301]);
    assert.ok(result.tokens.every((t) => !t.special));
  });

  it('refuses bad input with a clear error naming the problem and the limit', async () => {
    await assert.rejects(inspect(engine, { text: '' }), rejectsWith('EMPTY_INPUT', /empty/));
    await assert.rejects(inspect(engine, { ids: [] }), rejectsWith('EMPTY_INPUT', /no tokens/));
    await assert.rejects(inspect(engine, { text: 'a b '.repeat(400) }), rejectsWith('TOO_LONG', /at most 512/));
    await assert.rejects(inspect(engine, { text: 'x'.repeat(1_000_000) }), rejectsWith('TOO_LONG', /512/));
    await assert.rejects(inspect(engine, { ids: [1, 512] }), rejectsWith('BAD_INPUT', /0\.\.511/));
    await assert.rejects(inspect(engine, { text }, { layers: [5] }), rejectsWith('BAD_INPUT', /layers 0\.\.4/));
    await assert.rejects(inspect(engine, { text }, { topK: 0 }), rejectsWith('BAD_INPUT', /top-k/));
  });

  it('accepts exactly the context length', async () => {
    const ids = Array.from({ length: 512 }, (_, i) => 259 + (i % 250));
    const result = await inspect(engine, { ids }, { layers: [4], topK: 1 });
    assert.equal(result.attention[0].size, 512);
  });
});

describe('inspect() on a random GPT-2 model', () => {
  it('matches the reference forward pass', async () => {
    const model = randomGpt2Model({}, 11);
    const engine = await EngineModel.create(model, null);
    try {
      const ids = [5, 17, 3, 99, 42, 42, 0, 63];
      const result = await inspect(engine, { ids }, { topK: 3 });
      const ref = referenceForward(model, ids);
      result.attention.forEach((layer) => {
        const expected = ref.attention[layer.layer];
        for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(layer.data[i] - expected[i]) < 1e-5);
      });
      const V = model.config.vocab;
      for (const info of result.next) {
        const p = referenceProbs(ref.logits, info.position, V);
        for (const t of info.top) assert.ok(Math.abs(t.p - p[t.id]) < 1e-5);
      }
      assert.equal(result.tokens[0].text, '#5');
    } finally {
      await engine.dispose();
    }
  });
});

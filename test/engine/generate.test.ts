import assert from 'node:assert/strict';
import { EngineError } from '../../src/shared/errors';
import { EngineModel } from '../../src/engine/engineModel';
import { loadLlama2cFolder } from '../../src/engine/formats/llama2c';
import { generate } from '../../src/engine/generate';
import { inspect } from '../../src/engine/inspect';
import { publishedGreedyOutput, STORIES_DIR } from '../helpers/stories260K';

describe('generate() on stories260K', function () {
  let engine: EngineModel;

  before(async () => {
    const loaded = await loadLlama2cFolder(STORIES_DIR);
    engine = await EngineModel.create(loaded.model, loaded.tokenizer);
  });
  after(() => engine.dispose());

  it('greedy decoding from BOS reproduces the published 256-position output character for character', async () => {
    // llama2.c's run with -t 0.0 runs 256 forward passes (positions 0..255), each choosing the next token.
    const result = await generate(engine, { text: '' }, { maxTokens: 256, temperature: 0, attention: false });
    assert.equal(result.text, publishedGreedyOutput());
    assert.deepEqual(result.promptTokens.map((t) => t.id), [1]);
  });

  it('KV-cache decoding equals a full recompute at every step', async () => {
    const prompt = 'Once upon a time, there was a cat';
    const result = await generate(engine, { text: prompt }, { maxTokens: 12, temperature: 0, reportTopK: 512 });
    const ids = [...result.promptTokens.map((t) => t.id), ...result.steps.map((s) => s.token.id)];
    const full = await inspect(engine, { ids }, { topK: 512 });
    for (const step of result.steps) {
      // The distribution the step drew from is the full pass's prediction at the previous position.
      const expected = new Map(full.next[step.position - 1].top.map((t) => [t.id, t.p]));
      assert.equal(step.distribution.length, 512);
      assert.equal(step.token.id, full.next[step.position - 1].top[0].id, 'greedy picks the full pass argmax');
      for (const d of step.distribution) {
        const want = expected.get(d.id);
        assert.ok(want !== undefined && Math.abs(d.p - want) < 1e-5, `step at ${step.position}, token ${d.id}`);
      }
      // The new token's attention row in each layer equals the full pass's row at its position.
      assert.equal(step.attention.length, 5);
      step.attention.forEach((row, layer) => {
        const S = step.position + 1;
        assert.equal(row.length, 8 * S);
        const T = ids.length;
        const data = full.attention[layer].data;
        for (let h = 0; h < 8; h++) {
          for (let k = 0; k < S; k++) {
            const want = data[(h * T + step.position) * T + k];
            assert.ok(Math.abs(row[h * S + k] - want) < 1e-5, `layer ${layer} head ${h} key ${k}`);
          }
        }
      });
    }
  });

  it('top-k 1 is greedy; the same seed gives the same text and another seed another text', async () => {
    const prompt = { text: 'Tom had a red ball' };
    const greedy = await generate(engine, prompt, { maxTokens: 30, temperature: 0, attention: false });
    const top1 = await generate(engine, prompt, { maxTokens: 30, temperature: 1.3, topK: 1, attention: false });
    assert.equal(top1.text, greedy.text);
    const a = await generate(engine, prompt, { maxTokens: 40, temperature: 1, seed: 7, attention: false });
    const b = await generate(engine, prompt, { maxTokens: 40, temperature: 1, seed: 7, attention: false });
    const c = await generate(engine, prompt, { maxTokens: 40, temperature: 1, seed: 8, attention: false });
    assert.equal(a.text, b.text);
    assert.notEqual(a.text, c.text);
    assert.deepEqual(a.steps.map((s) => s.token.id), b.steps.map((s) => s.token.id));
  });

  it('top-p sampling only ever picks from the nucleus it reports', async () => {
    const result = await generate(engine, { text: 'The sun' }, { maxTokens: 25, topP: 0.6, seed: 3, reportTopK: 512, attention: false });
    for (const step of result.steps) {
      const ids = step.distribution.map((d) => d.id);
      assert.ok(ids.includes(step.token.id));
      const mass = step.distribution.reduce((a, d) => a + d.p, 0);
      assert.ok(Math.abs(mass - 1) < 1e-9, 'renormalised nucleus');
    }
  });

  it('stops at max tokens, at the context limit, and on request', async () => {
    const none = await generate(engine, { text: 'Hi' }, { maxTokens: 0 });
    assert.equal(none.steps.length, 0);
    const nearEnd = Array.from({ length: 509 }, (_, i) => 259 + (i % 200));
    const atContext = await generate(engine, { ids: nearEnd }, { maxTokens: 10, temperature: 0 });
    assert.equal(atContext.stoppedBy, 'context');
    assert.equal(atContext.steps.length, 3);
    let steps = 0;
    await assert.rejects(
      generate(engine, { text: 'Hi' }, { maxTokens: 50 }, { onStep: () => steps++, isCancelled: () => steps >= 3 }),
      (err: unknown) => err instanceof EngineError && err.code === 'CANCELLED',
    );
    assert.equal(steps, 3);
  });
});

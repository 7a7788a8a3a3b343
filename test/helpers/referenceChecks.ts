/** The check every loader test makes: a loaded model's attention and logits against the reference pass. */
import assert from 'node:assert/strict';
import type { EngineModel } from '../../src/engine/engineModel';
import * as io from '../../src/engine/graph/names';
import { inspect } from '../../src/engine/inspect';
import type { Model } from '../../src/engine/model';
import { referenceForward } from '../../src/engine/reference';
import { maxAbsDiff } from './assertions';

export const ATTENTION_TOLERANCE = 1e-5;
export const LOGIT_TOLERANCE = 1e-4;

/** Inspects `text` and compares every layer's attention (1e-5) and the logits (1e-4) with `expected`'s reference pass. */
export async function assertMatchesReference(engine: EngineModel, expected: Model, text: string, what: string): Promise<void> {
  const result = await inspect(engine, { text });
  const ids = result.tokens.map((t) => t.id);
  assert.ok(ids.length > 10, `${what}: the text should make a dozen tokens or more`);
  const reference = referenceForward(expected, ids);
  for (const layer of result.attention) {
    const diff = maxAbsDiff(layer.data, reference.attention[layer.layer]);
    assert.ok(diff <= ATTENTION_TOLERANCE, `${what}: layer ${layer.layer} attention off by ${diff}`);
  }
  const outputs = await engine.session.run(engine.feeds(ids, 0, null), [io.LOGITS]);
  const diff = maxAbsDiff(outputs[io.LOGITS].data as Float32Array, reference.logits);
  assert.ok(diff <= LOGIT_TOLERANCE, `${what}: logits off by ${diff}`);
}

/**
 * generate(): step-by-step decoding with the KV cache. Each step samples a token from the current
 * distribution, then feeds it through the model once (past = the cache) to get its attention rows and the
 * next distribution. The same seed gives the same tokens.
 */
import { EngineError } from '../shared/errors';
import type { GenerateOptions, GenerateResult, GenerateStep, Token } from '../shared/types';
import { ownedCopy, type EngineModel } from './engineModel';
import * as io from './graph/names';
import type { Tensor } from './runtime';
import { probability, rowStats, topKIndices } from '../shared/distribution';
import { candidateDistribution, resolveSampling, sample, seededRandom, type Candidate } from './sampling';

export type GeneratePrompt = { text: string } | { ids: number[] };

export interface GenerateHooks {
  /** Called after every step, before the next forward pass. */
  onStep?: (step: GenerateStep) => void;
  /** Checked between steps; a set flag stops generation with a CANCELLED error. */
  isCancelled?: () => boolean;
}

export async function generate(
  model: EngineModel,
  prompt: GeneratePrompt,
  options: GenerateOptions,
  hooks: GenerateHooks = {},
): Promise<GenerateResult> {
  const sampling = resolveSampling(options);
  if (!Number.isInteger(options.maxTokens) || options.maxTokens < 0) {
    throw new EngineError('BAD_INPUT', `max tokens must be a whole number >= 0 (got ${options.maxTokens})`);
  }
  const reportTopK = options.reportTopK ?? 10;
  const greedy = sampling.temperature === 0 || sampling.topK === 1;
  const wantAttention = options.attention ?? true;
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const promptTokens = promptToTokens(model, prompt);
  const ids = promptTokens.map((t) => t.id);
  model.checkIds(ids);

  const { layers, vocab: V, context } = model.config;
  const stopIds = new Set([model.info.bosId, model.info.eosId].filter((id): id is number => id !== null));
  const attentionNames = wantAttention ? Array.from({ length: layers }, (_, l) => io.attention(l)) : [];
  const presentNames = model.presentNames();

  let outputs = await model.session.run(model.feeds(ids, 0, null), [io.LOGITS, ...presentNames]);
  let logits = outputs[io.LOGITS].data as Float32Array;
  let rowOffset = (ids.length - 1) * V;
  let length = ids.length;
  const steps: GenerateStep[] = [];
  const decoder = model.tokenizer?.decoder({ previousId: ids[ids.length - 1] });
  let text = '';
  let stoppedBy: GenerateResult['stoppedBy'] = 'max-tokens';

  while (steps.length < options.maxTokens) {
    if (hooks.isCancelled?.()) throw new EngineError('CANCELLED', 'generation was cancelled');
    if (length >= context) {
      stoppedBy = 'context';
      break;
    }
    const candidates = candidateDistribution(logits, rowOffset, V, sampling);
    const id = sample(candidates, random);
    // Greedy decoding draws from a point mass; what a person wants to see is the model's own distribution.
    const shown = greedy ? modelDistribution(logits, rowOffset, V, reportTopK) : candidates.slice(0, reportTopK);
    const p = greedy ? probability(logits[rowOffset + id], rowStats(logits, rowOffset, V)) : candidates.find((c) => c.id === id)?.p ?? 0;
    const step: GenerateStep = {
      position: length,
      token: { id, text: model.label(id), p },
      distribution: shown.map((c) => ({ id: c.id, text: model.label(c.id), p: c.p })),
      attention: [],
    };
    const isStop = stopIds.has(id);
    // Feed the token to get its attention rows and the next distribution, unless nothing will read them.
    const lastStep = isStop || steps.length + 1 >= options.maxTokens;
    if (!lastStep || wantAttention) {
      const past = presentNames.map((name) => outputs[name]);
      outputs = await model.session.run(model.feeds([id], length, past as Tensor[]), [
        io.LOGITS,
        ...presentNames,
        ...attentionNames,
      ]);
      logits = outputs[io.LOGITS].data as Float32Array;
      rowOffset = 0;
      step.attention = attentionNames.map((name) => ownedCopy(outputs[name].data as Float32Array));
    }
    length++;
    steps.push(step);
    hooks.onStep?.(step);
    if (isStop) {
      stoppedBy = 'stop-token';
      break;
    }
    if (decoder) text += decoder.push(id);
    // Let the worker read a pending cancel message between steps.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (decoder) text += decoder.flush();
  return { model: model.info, promptTokens, steps, text, stoppedBy };
}

/** The k most likely tokens of softmax(row) at temperature 1, with their probabilities. */
function modelDistribution(logits: Float32Array, offset: number, n: number, k: number): Candidate[] {
  const stats = rowStats(logits, offset, n);
  return topKIndices(logits, offset, n, k).map((id) => ({ id, p: probability(logits[offset + id], stats) }));
}

function promptToTokens(model: EngineModel, prompt: GeneratePrompt): Token[] {
  if ('ids' in prompt) {
    return prompt.ids.map((id) => ({ id, text: model.label(id), start: 0, end: 0, special: id === model.info.bosId }));
  }
  if (!model.tokenizer) throw new EngineError('UNSUPPORTED', `${model.config.name} has no tokenizer: pass token ids instead`);
  if (prompt.text.length === 0) {
    const bos = model.info.bosId;
    if (bos === null) throw new EngineError('EMPTY_INPUT', `${model.config.name} has no BOS token to start from: give a prompt`);
    return [{ id: bos, text: model.label(bos), start: 0, end: 0, special: true }];
  }
  return model.tokenizer.encode(prompt.text);
}

/**
 * A model ready to run: its canonical description, its tokenizer, the ONNX session built from it, and the
 * ModelInfo the views read. inspect.ts and generate.ts work on this; nothing here knows the file format.
 */
import { EngineError } from '../shared/errors';
import type { ModelInfo } from '../shared/types';
import { buildOnnxGraph, type OnnxGraph } from './graph';
import * as io from './graph/names';
import { isHalf, kvHeadMap, type Model, type ModelConfig } from './model';
import { float32Tensor, int64Tensor, ModelSession, type Feeds, type Tensor } from './runtime';
import type { Tokenizer } from './tokenizers/tokenizer';

export interface BuildTimings {
  graphMs: number;
  sessionMs: number;
}

export class EngineModel {
  private constructor(
    readonly config: ModelConfig,
    readonly info: ModelInfo,
    readonly tokenizer: Tokenizer | null,
    readonly session: ModelSession,
    readonly timings: BuildTimings,
  ) {}

  /** Builds the ONNX graph for a model description and makes it runnable. */
  static async create(model: Model, tokenizer: Tokenizer | null): Promise<EngineModel> {
    const t0 = performance.now();
    const graph = buildOnnxGraph(model);
    return EngineModel.fromGraph(graph, model.config, tokenizer, performance.now() - t0, weightFormat(model));
  }

  /** A ready graph whose I/O follows graph/names.ts (built here, or an imported ONNX file wrapped to match). */
  static async fromGraph(
    graph: Uint8Array | OnnxGraph,
    config: ModelConfig,
    tokenizer: Tokenizer | null,
    graphMs = 0,
    weights?: ModelInfo['weights'],
  ): Promise<EngineModel> {
    if (tokenizer && tokenizer.vocabSize !== config.vocab) {
      throw new EngineError(
        'TOKENIZER_MISMATCH',
        `the tokenizer has ${tokenizer.vocabSize} tokens but the model ${config.name} expects ${config.vocab}`,
      );
    }
    const t0 = performance.now();
    const session = await ModelSession.create(graph);
    const sessionMs = performance.now() - t0;
    const info: ModelInfo = {
      name: config.name,
      family: config.family,
      layers: config.layers,
      heads: config.heads,
      kvHeads: config.kvHeads,
      kvHeadOf: kvHeadMap(config.heads, config.kvHeads),
      headDim: config.headDim,
      dim: config.dim,
      vocab: config.vocab,
      context: config.context,
      bosId: tokenizer?.bosId ?? null,
      eosId: tokenizer?.eosId ?? null,
      ...(weights ? { weights } : {}),
    };
    return new EngineModel(config, info, tokenizer, session, { graphMs, sessionMs });
  }

  /** Display label of a token id (the id itself when the model has no tokenizer). */
  label(id: number): string {
    return this.tokenizer ? this.tokenizer.label(id) : `#${id}`;
  }

  /**
   * Feeds for ids at absolute positions start.., with the given past (empty past for a prefill). `next` says
   * which token follows each position and how many best guesses to keep, for the next.* outputs; without it
   * they get harmless values (their outputs are then not fetched).
   */
  feeds(ids: readonly number[], start: number, past: Tensor[] | null, next?: { ids: readonly number[]; topK: number }): Feeds {
    const { layers, kvHeads, headDim } = this.config;
    const positions = ids.map((_, i) => start + i);
    const feeds: Feeds = {
      [io.INPUT_IDS]: int64Tensor(ids, [1, ids.length]),
      [io.POSITION_IDS]: int64Tensor(positions, [1, ids.length]),
      [io.NEXT_IDS]: int64Tensor(next ? next.ids : new Array<number>(ids.length).fill(0), [1, ids.length]),
      [io.TOP_K]: int64Tensor([next ? next.topK : 1], [1]),
    };
    for (let layer = 0; layer < layers; layer++) {
      const empty = (): Tensor => float32Tensor(new Float32Array(0), [1, kvHeads, 0, headDim]);
      feeds[io.pastKey(layer)] = past ? past[2 * layer] : empty();
      feeds[io.pastValue(layer)] = past ? past[2 * layer + 1] : empty();
    }
    return feeds;
  }

  /** Output names of every layer's present key and value, in the order feeds() expects them back. */
  presentNames(): string[] {
    const names: string[] = [];
    for (let layer = 0; layer < this.config.layers; layer++) names.push(io.presentKey(layer), io.presentValue(layer));
    return names;
  }

  checkIds(ids: readonly number[]): void {
    if (ids.length === 0) throw new EngineError('EMPTY_INPUT', 'there are no tokens to inspect');
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocab) {
        throw new EngineError('BAD_INPUT', `token id ${id} is outside the vocabulary (0..${this.config.vocab - 1})`);
      }
    }
    if (ids.length > this.config.context) {
      throw new EngineError(
        'TOO_LONG',
        `the input is ${ids.length} tokens but ${this.config.name} takes at most ${this.config.context}`,
      );
    }
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}

/** The matrices' format: a loader keeps all of a model's matrices 16-bit or none (weightPrecision.ts). */
function weightFormat(model: Model): NonNullable<ModelInfo['weights']> {
  const w = model.weights;
  const embedding = w.family === 'gpt2' ? w.wte : w.tokenEmbedding;
  return isHalf(embedding) ? embedding.dtype : 'float32';
}

/** A typed array that owns its whole buffer, safe to transfer to another thread. */
export function ownedCopy(data: Float32Array): Float32Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

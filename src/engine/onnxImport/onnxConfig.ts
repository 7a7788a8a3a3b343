/**
 * The shape facts an imported ONNX decoder needs from its config.json: layers, heads, key/value heads, head
 * size, vocabulary and context. Unlike formats/hfConfig.ts, any model_type is accepted: the graph itself does
 * the maths, the engine only feeds it and reads its outputs.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import type { ModelConfig } from '../model';

type Json = Record<string, unknown>;

function first(json: Json, keys: string[]): number | undefined {
  for (const key of keys) {
    const v = json[key];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

function required(json: Json, keys: string[]): number {
  const v = first(json, keys);
  if (v === undefined) throw new EngineError('CORRUPT_MODEL', `config.json has no ${keys.join(' / ')}`);
  return v;
}

export function parseOnnxConfig(text: string, fallbackName: string): ModelConfig {
  let json: Json;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    json = parsed as Json;
  } catch {
    throw new EngineError('CORRUPT_MODEL', 'config.json is not a valid JSON object');
  }
  const dim = required(json, ['hidden_size', 'n_embd', 'd_model']);
  const heads = required(json, ['num_attention_heads', 'n_head']);
  const kvHeads = first(json, ['num_key_value_heads']) ?? heads;
  const headDim = first(json, ['head_dim']) ?? dim / heads;
  if (!Number.isInteger(headDim) || heads % kvHeads !== 0) {
    throw new EngineError('CORRUPT_MODEL', `config.json: ${heads} heads, ${kvHeads} key/value heads and width ${dim} do not fit together`);
  }
  const name = typeof json._name_or_path === 'string' && /^[\w.-]+\/[\w.-]+$/.test(json._name_or_path) ? json._name_or_path : fallbackName;
  return {
    family: json.model_type === 'gpt2' ? 'gpt2' : 'llama',
    name,
    dim,
    hiddenDim: first(json, ['intermediate_size', 'n_inner']) ?? 4 * dim,
    layers: required(json, ['num_hidden_layers', 'n_layer']),
    heads,
    kvHeads,
    headDim,
    vocab: required(json, ['vocab_size']),
    context: required(json, ['max_position_embeddings', 'n_positions', 'n_ctx']),
    normEps: 1e-5,
  };
}

export async function readOnnxConfig(dir: string): Promise<ModelConfig> {
  const text = await readFile(path.join(dir, 'config.json'), 'utf8').catch(() => null);
  if (text === null) {
    throw new EngineError('MODEL_NOT_FOUND', `no config.json in ${dir}: an ONNX model needs its config.json (layers, heads) beside it`);
  }
  return parseOnnxConfig(text, path.basename(path.resolve(dir)));
}

/**
 * config.json of a Hugging Face causal language model, read into the engine's ModelConfig plus the few
 * facts the weight loader needs (which biases exist, whether the classifier is tied). Only the
 * architectures the graph builders reproduce exactly are accepted; anything else is refused by name, so a
 * model is never run with silently wrong maths.
 */
import { EngineError } from '../../shared/errors';
import type { ModelConfig } from '../model';

export const SUPPORTED_MODEL_TYPES = ['gpt2', 'llama', 'qwen2'] as const;
export type HfModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

const ARCHITECTURES: Readonly<Record<HfModelType, string>> = {
  gpt2: 'GPT2LMHeadModel',
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
};

/** GELU variants that are exactly the tanh approximation the GPT-2 graph computes. */
const TANH_GELU = new Set(['gelu_new', 'gelu_pytorch_tanh']);

export interface HfModelSpec {
  modelType: HfModelType;
  config: ModelConfig;
  /** The classifier reuses the token embedding (no lm_head.weight needed). */
  tiedHead: boolean;
  /** Llama family: q/k/v projections have biases (Qwen2, or attention_bias). */
  qkvBias: boolean;
  /** Llama family: the output projection has a bias (attention_bias). */
  outputBias: boolean;
  /** Llama family: gate/up/down projections have biases (mlp_bias). */
  mlpBias: boolean;
  bosTokenId: number | null;
  eosTokenId: number | null;
}

type Json = Record<string, unknown>;

export function supportedList(): string {
  return SUPPORTED_MODEL_TYPES.map((t) => `${t} (${ARCHITECTURES[t]})`).join(', ');
}

/** Parses config.json's text; `fallbackName` (the folder's name) is used when the file names no model. */
export function parseHfConfig(text: string, fallbackName: string): HfModelSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EngineError('CORRUPT_MODEL', 'config.json is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EngineError('CORRUPT_MODEL', 'config.json is not a JSON object');
  }
  const json = parsed as Json;
  const modelType = checkModelType(json);
  const name = modelName(json, fallbackName);
  return modelType === 'gpt2' ? gpt2Spec(json, name) : llamaSpec(json, name, modelType);
}

function checkModelType(json: Json): HfModelType {
  const type = json.model_type;
  const architectures = Array.isArray(json.architectures) ? json.architectures.filter((a) => typeof a === 'string') : [];
  const known = SUPPORTED_MODEL_TYPES.find((t) => t === type);
  if (!known) {
    const what = typeof type === 'string' ? `model_type "${type}"` : 'a config.json without model_type';
    const arch = architectures.length > 0 ? ` (${architectures.join(', ')})` : '';
    throw new EngineError('UNSUPPORTED', `${what}${arch} is not supported; supported: ${supportedList()}`);
  }
  // A supported family with another head (e.g. GPT2ForSequenceClassification) has no language-model output.
  const languageModel = (a: string): boolean => a.endsWith('ForCausalLM') || a.endsWith('LMHeadModel');
  if (architectures.length > 0 && !architectures.some(languageModel)) {
    throw new EngineError(
      'UNSUPPORTED',
      `architecture ${architectures.join(', ')} is not a language model (no next-token head); supported: ${supportedList()}`,
    );
  }
  return known;
}

function modelName(json: Json, fallback: string): string {
  const named = json._name_or_path;
  // A hub id ("openai-community/gpt2") is a good name; a local training path is not.
  if (typeof named === 'string' && /^[\w.-]+\/[\w.-]+$/.test(named)) return named;
  return fallback;
}

function field(json: Json, key: string): number | undefined {
  const v = json[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function requiredInt(json: Json, key: string, max: number, fallbackKey?: string): number {
  const value = field(json, key) ?? (fallbackKey ? field(json, fallbackKey) : undefined);
  if (value === undefined) throw new EngineError('CORRUPT_MODEL', `config.json has no ${key}`);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new EngineError('CORRUPT_MODEL', `config.json: ${key} is ${value} (expected a whole number 1..${max})`);
  }
  return value;
}

function optionalInt(json: Json, key: string, max: number): number | undefined {
  return json[key] === undefined || json[key] === null ? undefined : requiredInt(json, key, max);
}

function tokenId(json: Json, key: string): number | null {
  const v = json[key];
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return null;
}

const LIMITS = { dim: 1 << 16, hidden: 1 << 18, layers: 1024, heads: 1024, vocab: 1 << 21, context: 1 << 20 };

function gpt2Spec(json: Json, name: string): HfModelSpec {
  const dim = requiredInt(json, 'n_embd', LIMITS.dim, 'hidden_size');
  const heads = requiredInt(json, 'n_head', LIMITS.heads, 'num_attention_heads');
  if (dim % heads !== 0) throw new EngineError('CORRUPT_MODEL', `config.json: n_head ${heads} does not divide n_embd ${dim}`);
  const activation = json.activation_function ?? 'gelu_new';
  if (typeof activation !== 'string' || !TANH_GELU.has(activation)) {
    throw new EngineError('UNSUPPORTED', `GPT-2 with activation_function ${JSON.stringify(activation)} is not supported (only gelu_new)`);
  }
  if (json.scale_attn_by_inverse_layer_idx === true || json.scale_attn_weights === false) {
    throw new EngineError('UNSUPPORTED', 'GPT-2 variants with non-standard attention scaling are not supported');
  }
  if (json.tie_word_embeddings === false) {
    throw new EngineError('UNSUPPORTED', 'GPT-2 with a classifier not tied to the embedding is not supported');
  }
  const config: ModelConfig = {
    family: 'gpt2',
    name,
    dim,
    hiddenDim: optionalInt(json, 'n_inner', LIMITS.hidden) ?? 4 * dim,
    layers: requiredInt(json, 'n_layer', LIMITS.layers, 'num_hidden_layers'),
    heads,
    kvHeads: heads,
    headDim: dim / heads,
    vocab: requiredInt(json, 'vocab_size', LIMITS.vocab),
    context: requiredInt(json, 'n_positions', LIMITS.context, 'n_ctx'),
    normEps: field(json, 'layer_norm_epsilon') ?? 1e-5,
  };
  return {
    modelType: 'gpt2',
    config,
    tiedHead: true,
    qkvBias: true,
    outputBias: true,
    mlpBias: true,
    bosTokenId: tokenId(json, 'bos_token_id'),
    eosTokenId: tokenId(json, 'eos_token_id'),
  };
}

function llamaSpec(json: Json, name: string, modelType: 'llama' | 'qwen2'): HfModelSpec {
  const dim = requiredInt(json, 'hidden_size', LIMITS.dim);
  const heads = requiredInt(json, 'num_attention_heads', LIMITS.heads);
  const kvHeads = optionalInt(json, 'num_key_value_heads', heads) ?? heads;
  const headDim = optionalInt(json, 'head_dim', LIMITS.dim) ?? dim / heads;
  if (!Number.isInteger(headDim)) {
    throw new EngineError('CORRUPT_MODEL', `config.json: num_attention_heads ${heads} does not divide hidden_size ${dim}`);
  }
  if (heads % kvHeads !== 0) {
    throw new EngineError('CORRUPT_MODEL', `config.json: num_key_value_heads ${kvHeads} does not divide num_attention_heads ${heads}`);
  }
  const activation = json.hidden_act ?? 'silu';
  if (activation !== 'silu') {
    throw new EngineError('UNSUPPORTED', `${modelType} with hidden_act ${JSON.stringify(activation)} is not supported (only silu)`);
  }
  checkRopeScaling(json.rope_scaling);
  if (modelType === 'qwen2' && json.use_sliding_window === true) {
    throw new EngineError('UNSUPPORTED', 'Qwen2 with use_sliding_window is not supported: attention would differ past the window');
  }
  const attentionBias = json.attention_bias === true;
  const config: ModelConfig = {
    family: 'llama',
    name,
    dim,
    hiddenDim: requiredInt(json, 'intermediate_size', LIMITS.hidden),
    layers: requiredInt(json, 'num_hidden_layers', LIMITS.layers),
    heads,
    kvHeads,
    headDim,
    vocab: requiredInt(json, 'vocab_size', LIMITS.vocab),
    context: requiredInt(json, 'max_position_embeddings', LIMITS.context),
    normEps: field(json, 'rms_norm_eps') ?? 1e-6,
    ropeTheta: field(json, 'rope_theta') ?? 10000,
    // Hugging Face checkpoints rotate (i, i + headDim/2) pairs: rotate_half in modeling_llama.py.
    ropeStyle: 'half',
  };
  return {
    modelType,
    config,
    // LlamaConfig and Qwen2Config both default to a separate classifier; small models set true explicitly.
    tiedHead: json.tie_word_embeddings === true,
    qkvBias: modelType === 'qwen2' || attentionBias,
    outputBias: attentionBias,
    mlpBias: json.mlp_bias === true,
    bosTokenId: tokenId(json, 'bos_token_id'),
    eosTokenId: tokenId(json, 'eos_token_id'),
  };
}

function checkRopeScaling(scaling: unknown): void {
  if (scaling === undefined || scaling === null) return;
  const type =
    typeof scaling === 'object' && scaling !== null
      ? ((scaling as Json).rope_type ?? (scaling as Json).type)
      : undefined;
  if (type === 'default') return;
  throw new EngineError('UNSUPPORTED', `rope_scaling ${JSON.stringify(type ?? scaling)} is not supported (plain rotary positions only)`);
}

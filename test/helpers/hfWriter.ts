/**
 * Writes a canonical Model as a Hugging Face model folder (config.json, safetensors in F32, F16 or BF16,
 * optionally sharded, tokenizer.json), the inverse of the engine's loader and written independently of it:
 * tensor names and layouts as transformers saves GPT2LMHeadModel, LlamaForCausalLM and Qwen2ForCausalLM.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { matrixFloat32, transpose, type Linear, type Matrix, type Model, type ModelWeights } from '../../src/engine/model';
import { tinyByteLevelTokenizer, tinySentencePieceTokenizer } from './hfTinyTokenizers';

export type HfDtype = 'F32' | 'F16' | 'BF16';
export type HfModelType = 'gpt2' | 'llama' | 'qwen2';

export interface HfWriteOptions {
  modelType: HfModelType;
  dtype?: HfDtype;
  /** Split the weights over this many shards with a model.safetensors.index.json (default 1: one file). */
  shards?: number;
  /** Save as the bare model (GPT2Model / LlamaModel): no `transformer.` / `model.` prefix. */
  bareNames?: boolean;
  /** Write lm_head.weight even when tied (some checkpoints do). */
  writeTiedHead?: boolean;
  /** Extra or overriding config.json fields. */
  config?: Record<string, unknown>;
  /** Names of tensors to leave out (for error tests). */
  omit?: string[];
}

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

// ---- 16-bit rounding, round to nearest even ----

/** One float32 and its bits, reused so that converting millions of values allocates nothing. */
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

function bitsOf(value: number): number {
  scratch[0] = value;
  return scratchBits[0];
}

export function float32ToBf16Bits(value: number): number {
  const bits = bitsOf(value);
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return 0x7fc0;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

export function float32ToFp16Bits(value: number): number {
  const bits = bitsOf(value);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1) === 1)) m++;
    return sign | m;
  }
  let m = mantissa >>> 13;
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

function fp16BitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * Math.pow(2, -24);
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * Math.pow(2, e - 15);
}

function bf16BitsToFloat(h: number): number {
  return new Float32Array(new Uint32Array([h << 16]).buffer)[0];
}

/** The values a tensor holds after being stored in `dtype`. */
export function roundTo(dtype: HfDtype, data: Float32Array): Float32Array {
  if (dtype === 'F32') return data;
  return data.map((v) => (dtype === 'F16' ? fp16BitsToFloat(float32ToFp16Bits(v)) : bf16BitsToFloat(float32ToBf16Bits(v))));
}

/** The model every weight of which is rounded to `dtype`: what a loader of the written folder must produce. */
export function roundedModel(model: Model, dtype: HfDtype): Model {
  const round = (x: Matrix): Float32Array => roundTo(dtype, matrixFloat32(x));
  const lin = (l: Linear): Linear => ({ ...l, w: round(l.w), b: l.b ? round(l.b) : undefined });
  const norm = (n: { g: Float32Array; b: Float32Array }): { g: Float32Array; b: Float32Array } => ({ g: round(n.g), b: round(n.b) });
  const w = model.weights;
  const weights: ModelWeights =
    w.family === 'gpt2'
      ? {
          family: 'gpt2',
          wte: round(w.wte),
          wpe: round(w.wpe),
          lnF: norm(w.lnF),
          layers: w.layers.map((l) => ({
            ln1: norm(l.ln1),
            attn: lin(l.attn),
            proj: lin(l.proj),
            ln2: norm(l.ln2),
            fc: lin(l.fc),
            fcProj: lin(l.fcProj),
          })),
        }
      : {
          family: 'llama',
          tokenEmbedding: round(w.tokenEmbedding),
          finalNorm: round(w.finalNorm),
          lmHead: w.lmHead ? lin(w.lmHead) : undefined,
          layers: w.layers.map((l) => ({
            attnNorm: round(l.attnNorm),
            wq: lin(l.wq),
            wk: lin(l.wk),
            wv: lin(l.wv),
            wo: lin(l.wo),
            ffnNorm: round(l.ffnNorm),
            w1: lin(l.w1),
            w2: lin(l.w2),
            w3: lin(l.w3),
          })),
        };
  return { config: model.config, weights };
}

// ---- tensors under Hugging Face names ----

export function hfTensors(model: Model, options: HfWriteOptions): NamedTensor[] {
  const out: NamedTensor[] = [];
  const add = (name: string, shape: number[], data: Matrix): void => {
    out.push({ name, shape, data: matrixFloat32(data) });
  };
  const c = model.config;
  const w = model.weights;
  if (w.family === 'gpt2') {
    const p = options.bareNames ? '' : 'transformer.';
    const conv = (name: string, l: Linear): void => {
      add(`${name}.weight`, [l.inDim, l.outDim], l.w);
      if (l.b) add(`${name}.bias`, [l.outDim], l.b);
    };
    const norm = (name: string, n: { g: Float32Array; b: Float32Array }): void => {
      add(`${name}.weight`, [c.dim], n.g);
      add(`${name}.bias`, [c.dim], n.b);
    };
    add(`${p}wte.weight`, [c.vocab, c.dim], w.wte);
    add(`${p}wpe.weight`, [c.context, c.dim], w.wpe);
    w.layers.forEach((l, i) => {
      norm(`${p}h.${i}.ln_1`, l.ln1);
      conv(`${p}h.${i}.attn.c_attn`, l.attn);
      conv(`${p}h.${i}.attn.c_proj`, l.proj);
      norm(`${p}h.${i}.ln_2`, l.ln2);
      conv(`${p}h.${i}.mlp.c_fc`, l.fc);
      conv(`${p}h.${i}.mlp.c_proj`, l.fcProj);
    });
    norm(`${p}ln_f`, w.lnF);
    if (options.writeTiedHead) add('lm_head.weight', [c.vocab, c.dim], w.wte);
  } else {
    const p = options.bareNames ? '' : 'model.';
    const linear = (name: string, l: Linear): void => {
      add(`${name}.weight`, [l.outDim, l.inDim], transpose(matrixFloat32(l.w), l.inDim, l.outDim));
      if (l.b) add(`${name}.bias`, [l.outDim], l.b);
    };
    add(`${p}embed_tokens.weight`, [c.vocab, c.dim], w.tokenEmbedding);
    w.layers.forEach((l, i) => {
      const n = `${p}layers.${i}`;
      add(`${n}.input_layernorm.weight`, [c.dim], l.attnNorm);
      linear(`${n}.self_attn.q_proj`, l.wq);
      linear(`${n}.self_attn.k_proj`, l.wk);
      linear(`${n}.self_attn.v_proj`, l.wv);
      linear(`${n}.self_attn.o_proj`, l.wo);
      add(`${n}.post_attention_layernorm.weight`, [c.dim], l.ffnNorm);
      linear(`${n}.mlp.gate_proj`, l.w1);
      linear(`${n}.mlp.up_proj`, l.w3);
      linear(`${n}.mlp.down_proj`, l.w2);
    });
    add(`${p}norm.weight`, [c.dim], w.finalNorm);
    if (w.lmHead) add('lm_head.weight', [c.vocab, c.dim], transpose(matrixFloat32(w.lmHead.w), c.dim, c.vocab));
    else if (options.writeTiedHead) add('lm_head.weight', [c.vocab, c.dim], w.tokenEmbedding);
  }
  const omit = new Set(options.omit ?? []);
  return out.filter((t) => !omit.has(t.name));
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A safetensors file: 8-byte header length, JSON header (space-padded to 8 bytes), data. */
export function safetensorsBytes(tensors: NamedTensor[], dtype: HfDtype, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const width = dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length * width] };
    offset += t.data.length * width;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    if (dtype === 'F32' && LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
      at += t.data.byteLength;
      continue;
    }
    for (const v of t.data) {
      if (dtype === 'F32') view.setFloat32(at, v, true);
      else view.setUint16(at, dtype === 'F16' ? float32ToFp16Bits(v) : float32ToBf16Bits(v), true);
      at += width;
    }
  }
  return out;
}

export function hfConfigJson(model: Model, options: HfWriteOptions): Record<string, unknown> {
  const c = model.config;
  const base: Record<string, unknown> =
    options.modelType === 'gpt2'
      ? {
          architectures: ['GPT2LMHeadModel'],
          model_type: 'gpt2',
          n_embd: c.dim,
          n_head: c.heads,
          n_layer: c.layers,
          n_positions: c.context,
          n_ctx: c.context,
          n_inner: c.hiddenDim,
          vocab_size: c.vocab,
          layer_norm_epsilon: c.normEps,
          activation_function: 'gelu_new',
          bos_token_id: tinyByteLevelTokenizer().bosId,
          eos_token_id: tinyByteLevelTokenizer().eosId,
        }
      : {
          architectures: [options.modelType === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
          model_type: options.modelType,
          hidden_size: c.dim,
          intermediate_size: c.hiddenDim,
          num_hidden_layers: c.layers,
          num_attention_heads: c.heads,
          num_key_value_heads: c.kvHeads,
          head_dim: c.headDim,
          max_position_embeddings: c.context,
          rms_norm_eps: c.normEps,
          rope_theta: c.ropeTheta,
          hidden_act: 'silu',
          vocab_size: c.vocab,
          tie_word_embeddings: model.weights.family === 'llama' && !model.weights.lmHead,
          torch_dtype: 'float32',
        };
  return { ...base, ...options.config };
}

/** Writes the folder and returns its path. */
export async function writeHfFolder(model: Model, options: HfWriteOptions, dir?: string): Promise<string> {
  const target = dir ?? (await mkdtemp(path.join(tmpdir(), `ai-hf-${options.modelType}-`)));
  const dtype = options.dtype ?? 'F32';
  const tensors = hfTensors(model, options);
  const shards = options.shards ?? 1;
  if (shards <= 1) {
    await writeFile(path.join(target, 'model.safetensors'), safetensorsBytes(tensors, dtype));
  } else {
    const weightMap: Record<string, string> = {};
    const per = Math.ceil(tensors.length / shards);
    for (let s = 0; s < shards; s++) {
      const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
      const part = tensors.slice(s * per, (s + 1) * per);
      for (const t of part) weightMap[t.name] = file;
      await writeFile(path.join(target, file), safetensorsBytes(part, dtype));
    }
    await writeFile(path.join(target, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  }
  await writeFile(path.join(target, 'config.json'), JSON.stringify(hfConfigJson(model, options), null, 2));
  const tokenizer =
    options.modelType === 'llama' ? tinySentencePieceTokenizer() : tinyByteLevelTokenizer(options.modelType === 'qwen2');
  await writeFile(path.join(target, 'tokenizer.json'), JSON.stringify(tokenizer.json));
  await writeFile(path.join(target, 'tokenizer_config.json'), JSON.stringify(tokenizer.config));
  return target;
}

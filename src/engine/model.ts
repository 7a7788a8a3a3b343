/**
 * The engine's in-memory description of a model: hyper-parameters and weights in one canonical layout that
 * the graph builders (graph/) and the reference forward pass (reference.ts) both read. Loaders for each file
 * format (formats/) produce this; nothing downstream knows which file a model came from.
 *
 * Layout: every matrix is row-major in "x @ W" orientation, i.e. [in, out], so the ONNX graph uses it
 * directly as the right operand of MatMul. Loaders whose files store [out, in] transpose.
 *
 * Matrices are float32, or the 16-bit floats a checkpoint stored when converting them would not fit in
 * WebAssembly memory (weightPrecision.ts): the graph then casts each one to float32 where it is used, so
 * both forms compute with exactly the same values. Norm gains and biases are always float32 (they are small).
 */
import type { ModelFamily } from '../shared/types';
import { bf16ToFloat32, fp16ToFloat32 } from './formats/halfFloat';

/** A matrix kept as the IEEE half ('float16') or bfloat16 bit patterns its file stored. */
export interface HalfMatrix {
  dtype: 'float16' | 'bfloat16';
  bits: Uint16Array;
}

export type Matrix = Float32Array | HalfMatrix;

export function isHalf(m: Matrix): m is HalfMatrix {
  return !(m instanceof Float32Array);
}

export function matrixLength(m: Matrix): number {
  return isHalf(m) ? m.bits.length : m.length;
}

const float32Views = new WeakMap<HalfMatrix, Float32Array>();

/** The matrix's values as float32 (converted once per matrix and remembered; for the reference pass). */
export function matrixFloat32(m: Matrix): Float32Array {
  if (!isHalf(m)) return m;
  let data = float32Views.get(m);
  if (!data) {
    data = (m.dtype === 'float16' ? fp16ToFloat32(m.bits) : bf16ToFloat32(m.bits)).data;
    float32Views.set(m, data);
  }
  return data;
}

export interface Linear {
  /** [inDim, outDim] row-major. */
  w: Matrix;
  /** [outDim], absent when the layer has no bias. */
  b?: Float32Array;
  inDim: number;
  outDim: number;
}

export interface ModelConfig {
  family: ModelFamily;
  name: string;
  /** Residual stream width. */
  dim: number;
  /** Feed-forward inner width. */
  hiddenDim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  /** Maximum positions. */
  context: number;
  normEps: number;
  /** Llama family: rotary base and which pairs rotate together. */
  ropeTheta?: number;
  /**
   * 'interleaved': dims (2i, 2i+1) form a pair (llama2.c, Meta checkpoints).
   * 'half': dims (i, i + headDim/2) form a pair (Hugging Face rotate_half).
   */
  ropeStyle?: 'interleaved' | 'half';
}

export interface LlamaLayer {
  attnNorm: Float32Array; // [dim]
  wq: Linear; // dim -> heads*headDim (optional bias: Qwen2)
  wk: Linear; // dim -> kvHeads*headDim
  wv: Linear; // dim -> kvHeads*headDim
  wo: Linear; // heads*headDim -> dim
  ffnNorm: Float32Array; // [dim]
  w1: Linear; // gate: dim -> hidden
  w2: Linear; // down: hidden -> dim
  w3: Linear; // up: dim -> hidden
}

export interface LlamaWeights {
  family: 'llama';
  tokenEmbedding: Matrix; // [vocab, dim]
  layers: LlamaLayer[];
  finalNorm: Float32Array; // [dim]
  /** [dim, vocab]; absent when tied to the token embedding. */
  lmHead?: Linear;
}

export interface Gpt2Layer {
  ln1: { g: Float32Array; b: Float32Array }; // [dim]
  /** Fused QKV projection: dim -> 3*dim, output laid out [q | k | v]. */
  attn: Linear;
  proj: Linear; // dim -> dim
  ln2: { g: Float32Array; b: Float32Array };
  fc: Linear; // dim -> hidden
  fcProj: Linear; // hidden -> dim
}

export interface Gpt2Weights {
  family: 'gpt2';
  wte: Matrix; // [vocab, dim]; the LM head is tied to it
  wpe: Float32Array; // [context, dim]
  layers: Gpt2Layer[];
  lnF: { g: Float32Array; b: Float32Array };
}

export type ModelWeights = LlamaWeights | Gpt2Weights;

export interface Model {
  config: ModelConfig;
  weights: ModelWeights;
}

/** kvHeadOf[q]: grouped-query attention repeats each kv head for heads/kvHeads consecutive query heads. */
export function kvHeadMap(heads: number, kvHeads: number): number[] {
  const group = heads / kvHeads;
  return Array.from({ length: heads }, (_, q) => Math.floor(q / group));
}

/** Transpose a row-major [rows, cols] matrix into [cols, rows]. */
export function transpose<T extends Float32Array | Uint16Array>(src: T, rows: number, cols: number): T {
  const out = new (src.constructor as new (length: number) => T)(src.length);
  const block = 32;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(rows, r0 + block);
    for (let c0 = 0; c0 < cols; c0 += block) {
      const c1 = Math.min(cols, c0 + block);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) out[c * rows + r] = src[r * cols + c];
      }
    }
  }
  return out;
}

export function transposeMatrix(m: Matrix, rows: number, cols: number): Matrix {
  return isHalf(m) ? { dtype: m.dtype, bits: transpose(m.bits, rows, cols) } : transpose(m, rows, cols);
}

/**
 * A plain TypeScript forward pass over the whole sequence, written independently of the ONNX graph builders
 * so that it can check them: float64 arithmetic, one position at a time, no cache, no shared code but
 * model.ts. Slow by design; for tests and debugging.
 */
import { EngineError } from '../shared/errors';
import { kvHeadMap, matrixFloat32 } from './model';
import type { Gpt2Weights, Linear, LlamaWeights, Matrix, Model, ModelConfig } from './model';

export interface ReferenceOutput {
  /** [T, vocab] row-major. */
  logits: Float32Array;
  /** One per layer, [heads, T, T]: row t is query t, column s key s; zero above the diagonal. */
  attention: Float32Array[];
}

type Vector = Float64Array;

const DEFAULT_ROPE_THETA = 10000;

export function referenceForward(model: Model, ids: number[]): ReferenceOutput {
  const { config, weights } = model;
  if (ids.length === 0 || ids.length > config.context) {
    throw new EngineError('BAD_INPUT', `need 1..${config.context} ids, got ${ids.length}`);
  }
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= config.vocab) {
      throw new EngineError('BAD_INPUT', `token id ${id} is outside the vocabulary`);
    }
  }
  return weights.family === 'llama' ? llamaForward(config, weights, ids) : gpt2Forward(config, weights, ids);
}

function llamaForward(config: ModelConfig, weights: LlamaWeights, ids: number[]): ReferenceOutput {
  const { dim, heads, kvHeads, headDim, normEps } = config;
  const kvOf = kvHeadMap(heads, kvHeads);
  let x = ids.map((id) => tableRow(weights.tokenEmbedding, id, dim));
  const attention: Float32Array[] = [];
  for (const layer of weights.layers) {
    const h = x.map((row) => rmsNorm(row, layer.attnNorm, normEps));
    const q = h.map((row, pos) => rotate(matVec(row, layer.wq), heads, pos, config));
    const k = h.map((row, pos) => rotate(matVec(row, layer.wk), kvHeads, pos, config));
    const v = h.map((row) => matVec(row, layer.wv));
    const probs = new Float32Array(heads * ids.length * ids.length);
    const attended = causalAttention(q, k, v, headDim, kvOf, probs);
    attention.push(probs);
    x = x.map((row, t) => add(row, matVec(attended[t], layer.wo)));
    x = x.map((row) => {
      const f = rmsNorm(row, layer.ffnNorm, normEps);
      const gate = matVec(f, layer.w1);
      const up = matVec(f, layer.w3);
      const inner = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      return add(row, matVec(inner, layer.w2));
    });
  }
  const finalRows = x.map((row) => rmsNorm(row, weights.finalNorm, normEps));
  const lmHead = weights.lmHead;
  const logits = finalRows.map((row) =>
    lmHead ? matVec(row, lmHead) : dotWithRows(row, weights.tokenEmbedding, config.vocab),
  );
  return { logits: flatten(logits), attention };
}

function gpt2Forward(config: ModelConfig, weights: Gpt2Weights, ids: number[]): ReferenceOutput {
  const { dim, heads, headDim, normEps } = config;
  const kvOf = kvHeadMap(heads, heads);
  let x = ids.map((id, pos) => add(tableRow(weights.wte, id, dim), tableRow(weights.wpe, pos, dim)));
  const attention: Float32Array[] = [];
  for (const layer of weights.layers) {
    const qkv = x.map((row) => matVec(layerNorm(row, layer.ln1.g, layer.ln1.b, normEps), layer.attn));
    const q = qkv.map((row) => row.slice(0, dim));
    const k = qkv.map((row) => row.slice(dim, 2 * dim));
    const v = qkv.map((row) => row.slice(2 * dim, 3 * dim));
    const probs = new Float32Array(heads * ids.length * ids.length);
    const attended = causalAttention(q, k, v, headDim, kvOf, probs);
    attention.push(probs);
    x = x.map((row, t) => add(row, matVec(attended[t], layer.proj)));
    x = x.map((row) => {
      const inner = matVec(layerNorm(row, layer.ln2.g, layer.ln2.b, normEps), layer.fc).map(geluTanh);
      return add(row, matVec(inner, layer.fcProj));
    });
  }
  const finalRows = x.map((row) => layerNorm(row, weights.lnF.g, weights.lnF.b, normEps));
  const logits = finalRows.map((row) => dotWithRows(row, weights.wte, config.vocab));
  return { logits: flatten(logits), attention };
}

/**
 * Softmax(q k^T / sqrt(d)) v over keys s <= t, for every query head; query head h reads kv head kvOf[h].
 * Writes the probabilities into probs [heads, T, T] and returns each position's concatenated head outputs.
 */
function causalAttention(
  q: Vector[],
  k: Vector[],
  v: Vector[],
  headDim: number,
  kvOf: number[],
  probs: Float32Array,
): Vector[] {
  const length = q.length;
  const heads = kvOf.length;
  const out = q.map(() => new Float64Array(heads * headDim));
  for (let h = 0; h < heads; h++) {
    const qOff = h * headDim;
    const kvOff = kvOf[h] * headDim;
    for (let t = 0; t < length; t++) {
      const scores = new Float64Array(t + 1);
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let d = 0; d < headDim; d++) dot += q[t][qOff + d] * k[s][kvOff + d];
        scores[s] = dot / Math.sqrt(headDim);
      }
      const p = softmax(scores);
      for (let s = 0; s <= t; s++) {
        probs[(h * length + t) * length + s] = p[s];
        for (let d = 0; d < headDim; d++) out[t][qOff + d] += p[s] * v[s][kvOff + d];
      }
    }
  }
  return out;
}

/** Rotary embedding of every head in `x` at position `pos`; pair k turns by pos * theta^(-2k/headDim). */
function rotate(x: Vector, heads: number, pos: number, config: ModelConfig): Vector {
  const { headDim } = config;
  const theta = config.ropeTheta ?? DEFAULT_ROPE_THETA;
  const half = headDim / 2;
  const out = Float64Array.from(x);
  for (let h = 0; h < heads; h++) {
    for (let k = 0; k < half; k++) {
      const angle = pos / Math.pow(theta, (2 * k) / headDim);
      const [i, j] = config.ropeStyle === 'half' ? [k, k + half] : [2 * k, 2 * k + 1];
      const a = x[h * headDim + i];
      const b = x[h * headDim + j];
      out[h * headDim + i] = a * Math.cos(angle) - b * Math.sin(angle);
      out[h * headDim + j] = a * Math.sin(angle) + b * Math.cos(angle);
    }
  }
  return out;
}

/** x @ W + b with W [in, out]. */
function matVec(x: Vector, layer: Linear): Vector {
  const out = new Float64Array(layer.outDim);
  const w = matrixFloat32(layer.w);
  if (layer.b) out.set(layer.b);
  for (let i = 0; i < layer.inDim; i++) {
    const row = i * layer.outDim;
    for (let j = 0; j < layer.outDim; j++) out[j] += x[i] * w[row + j];
  }
  return out;
}

/** x · table[r] for every row r of a [rows, x.length] table (a tied classifier). */
function dotWithRows(x: Vector, matrix: Matrix, rows: number): Vector {
  const table = matrixFloat32(matrix);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += x[i] * table[r * x.length + i];
    out[r] = sum;
  }
  return out;
}

function rmsNorm(x: Vector, gain: Float32Array, eps: number): Vector {
  let sumSquares = 0;
  for (const value of x) sumSquares += value * value;
  const scale = 1 / Math.sqrt(sumSquares / x.length + eps);
  return x.map((value, i) => value * scale * gain[i]);
}

function layerNorm(x: Vector, gain: Float32Array, bias: Float32Array, eps: number): Vector {
  let mean = 0;
  for (const value of x) mean += value;
  mean /= x.length;
  let variance = 0;
  for (const value of x) variance += (value - mean) * (value - mean);
  variance /= x.length;
  const scale = 1 / Math.sqrt(variance + eps);
  return x.map((value, i) => (value - mean) * scale * gain[i] + bias[i]);
}

function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

function softmax(scores: Vector): Vector {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

function tableRow(matrix: Matrix, row: number, width: number): Vector {
  const table = matrixFloat32(matrix);
  return Float64Array.from(table.subarray(row * width, (row + 1) * width));
}

function add(a: Vector, b: Vector): Vector {
  return a.map((value, i) => value + b[i]);
}

function flatten(rows: Vector[]): Float32Array {
  const width = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, r) => out.set(row, r * width));
  return out;
}

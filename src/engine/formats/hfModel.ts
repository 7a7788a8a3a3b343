/**
 * A Hugging Face model folder (config.json, safetensors weights, tokenizer.json) as the canonical Model.
 * Tensor names follow transformers' modeling files; checkpoints saved from the bare model (GPT2Model,
 * LlamaModel) lack the `transformer.` / `model.` prefix, and tied models may omit lm_head.weight.
 * GPT-2's Conv1D weights are already [in, out]; nn.Linear weights are [out, in] and are transposed.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import {
  transposeMatrix,
  type Gpt2Layer,
  type Gpt2Weights,
  type Linear,
  type LlamaLayer,
  type Matrix,
  type LlamaWeights,
  type Model,
  type ModelConfig,
} from '../model';
import { HfCheckpoint } from './hfCheckpoint';
import { parseHfConfig, type HfModelSpec } from './hfConfig';
import { planWeights, type WeightPrecision } from '../weightPrecision';

export const CONFIG_FILE = 'config.json';

/** Reads config.json; MODEL_NOT_FOUND when absent. */
export async function readHfSpec(dir: string): Promise<HfModelSpec> {
  const file = path.join(dir, CONFIG_FILE);
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) throw new EngineError('MODEL_NOT_FOUND', `no ${CONFIG_FILE} in ${dir}`);
  return parseHfConfig(text, path.basename(path.resolve(dir)));
}

export interface HfLoadOptions {
  /** Overrides the precision planWeights picks from the checkpoint's size and dtypes. */
  precision?: WeightPrecision;
}

/** Loads the weights of the folder into the canonical Model described by `spec`. */
export async function loadHfWeights(dir: string, spec: HfModelSpec, options: HfLoadOptions = {}): Promise<Model> {
  const checkpoint = await HfCheckpoint.open(dir);
  try {
    const { parameters, storedBytesPerWeight } = checkpoint.parameterCount();
    const precision = options.precision ?? planWeights(parameters, storedBytesPerWeight).precision;
    const reader = new TensorReader(checkpoint, spec.config, precision === 'stored16');
    const weights = spec.modelType === 'gpt2' ? await readGpt2(reader, spec.config) : await readLlama(reader, spec);
    return { config: spec.config, weights };
  } finally {
    await checkpoint.close();
  }
}

/** Reads tensors by their name under the checkpoint's prefix, checking shape and values. */
class TensorReader {
  prefix = '';

  constructor(
    private readonly checkpoint: HfCheckpoint,
    private readonly config: ModelConfig,
    /** Matrices stored as F16/BF16 stay 16-bit (weightPrecision.ts); vectors are always float32. */
    private readonly keepHalf: boolean,
  ) {}

  /** Picks the first prefix under which `probe` exists. */
  choosePrefix(candidates: string[], probe: string): void {
    const found = candidates.find((p) => this.checkpoint.has(p + probe));
    if (found === undefined) {
      const tried = candidates.map((p) => p + probe).join(' or ');
      throw new EngineError('CORRUPT_MODEL', `the weights have no ${tried}: not a ${this.config.family} checkpoint?`);
    }
    this.prefix = found;
  }

  has(name: string, absolute = false): boolean {
    return this.checkpoint.has(absolute ? name : this.prefix + name);
  }

  /** A vector (norm gain, bias, position table) as float32. */
  async read(name: string, shape: number[], absolute = false): Promise<Float32Array> {
    return this.checkpoint.readFloat32(this.checked(name, shape, absolute));
  }

  /** A matrix, 16-bit when the file stores it so and the model keeps 16-bit matrices. */
  async matrix(name: string, shape: number[], absolute = false): Promise<Matrix> {
    return this.checkpoint.readMatrix(this.checked(name, shape, absolute), this.keepHalf);
  }

  /** The tensor's full name, once its shape is the one config.json implies. Values are checked finite as they are read (safetensors.ts). */
  private checked(name: string, shape: number[], absolute: boolean): string {
    const full = absolute ? name : this.prefix + name;
    const entry = this.checkpoint.entry(full);
    if (!entry) throw new EngineError('CORRUPT_MODEL', `the weights have no tensor ${full}`);
    if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
      throw new EngineError(
        'CORRUPT_MODEL',
        `tensor ${full} has shape [${entry.shape.join(', ')}], expected [${shape.join(', ')}] from config.json`,
      );
    }
    return full;
  }

  /** An nn.Linear ([out, in] in the file) as the canonical [in, out]. */
  async linear(name: string, inDim: number, outDim: number, withBias: boolean): Promise<Linear> {
    const w = transposeMatrix(await this.matrix(`${name}.weight`, [outDim, inDim]), outDim, inDim);
    return withBias ? { w, b: await this.read(`${name}.bias`, [outDim]), inDim, outDim } : { w, inDim, outDim };
  }

  /** A GPT-2 Conv1D: stored [in, out] already. */
  async conv1d(name: string, inDim: number, outDim: number): Promise<Linear> {
    return {
      w: await this.matrix(`${name}.weight`, [inDim, outDim]),
      b: await this.read(`${name}.bias`, [outDim]),
      inDim,
      outDim,
    };
  }
}

async function readGpt2(r: TensorReader, c: ModelConfig): Promise<Gpt2Weights> {
  r.choosePrefix(['transformer.', ''], 'wte.weight');
  const norm = async (name: string): Promise<{ g: Float32Array; b: Float32Array }> => ({
    g: await r.read(`${name}.weight`, [c.dim]),
    b: await r.read(`${name}.bias`, [c.dim]),
  });
  const layers: Gpt2Layer[] = [];
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}`;
    layers.push({
      ln1: await norm(`${h}.ln_1`),
      attn: await r.conv1d(`${h}.attn.c_attn`, c.dim, 3 * c.dim),
      proj: await r.conv1d(`${h}.attn.c_proj`, c.dim, c.dim),
      ln2: await norm(`${h}.ln_2`),
      fc: await r.conv1d(`${h}.mlp.c_fc`, c.dim, c.hiddenDim),
      fcProj: await r.conv1d(`${h}.mlp.c_proj`, c.hiddenDim, c.dim),
    });
  }
  return {
    family: 'gpt2',
    wte: await r.matrix('wte.weight', [c.vocab, c.dim]),
    wpe: await r.read('wpe.weight', [c.context, c.dim]),
    layers,
    lnF: await norm('ln_f'),
  };
}

async function readLlama(r: TensorReader, spec: HfModelSpec): Promise<LlamaWeights> {
  const c = spec.config;
  r.choosePrefix(['model.', ''], 'embed_tokens.weight');
  const qDim = c.heads * c.headDim;
  const kvDim = c.kvHeads * c.headDim;
  const layers: LlamaLayer[] = [];
  for (let i = 0; i < c.layers; i++) {
    const l = `layers.${i}`;
    layers.push({
      attnNorm: await r.read(`${l}.input_layernorm.weight`, [c.dim]),
      wq: await r.linear(`${l}.self_attn.q_proj`, c.dim, qDim, spec.qkvBias),
      wk: await r.linear(`${l}.self_attn.k_proj`, c.dim, kvDim, spec.qkvBias),
      wv: await r.linear(`${l}.self_attn.v_proj`, c.dim, kvDim, spec.qkvBias),
      wo: await r.linear(`${l}.self_attn.o_proj`, qDim, c.dim, spec.outputBias),
      ffnNorm: await r.read(`${l}.post_attention_layernorm.weight`, [c.dim]),
      w1: await r.linear(`${l}.mlp.gate_proj`, c.dim, c.hiddenDim, spec.mlpBias),
      w2: await r.linear(`${l}.mlp.down_proj`, c.hiddenDim, c.dim, spec.mlpBias),
      w3: await r.linear(`${l}.mlp.up_proj`, c.dim, c.hiddenDim, spec.mlpBias),
    });
  }
  const weights: LlamaWeights = {
    family: 'llama',
    tokenEmbedding: await r.matrix('embed_tokens.weight', [c.vocab, c.dim]),
    layers,
    finalNorm: await r.read('norm.weight', [c.dim]),
  };
  if (!spec.tiedHead) {
    // lm_head sits beside the base model, never under its prefix.
    if (!r.has('lm_head.weight', true)) {
      throw new EngineError(
        'CORRUPT_MODEL',
        'the weights have no lm_head.weight and config.json says tie_word_embeddings is false',
      );
    }
    const head = await r.matrix('lm_head.weight', [c.vocab, c.dim], true);
    weights.lmHead = { w: transposeMatrix(head, c.vocab, c.dim), inDim: c.dim, outDim: c.vocab };
  }
  return weights;
}

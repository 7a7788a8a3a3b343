/**
 * llama2.c "legacy v0" checkpoints (e.g. stories260K.bin) and the folder layout they ship in.
 *
 * File: 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a
 * negative vocab_size means the classifier is not tied to the embedding), then float32 tensors in a fixed
 * order, matrices row-major [out, in]. They become the canonical Model: [in, out] matrices (transposed),
 * vectors and the embedding as Float32Array views over the file's bytes where alignment allows, so the
 * weights are copied once (by the transpose) and no more.
 */
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import { transpose, type LlamaLayer, type LlamaWeights, type Linear, type Model, type ModelConfig } from '../model';
import { Llama2cTokenizer } from '../tokenizers/llama2c';

const HEADER_BYTES = 7 * 4;
/** Versioned llama2.c exports (export.py --version 1/2) start with this magic ("ak42"); we read only v0. */
const VERSIONED_MAGIC = 0x616b3432;
const NORM_EPS = 1e-5;
const ROPE_THETA = 10000;

/** Generous bounds: they only reject headers that cannot be a real model (wrong file, garbage). */
const LIMITS = {
  dim: 1 << 16,
  hiddenDim: 1 << 18,
  layers: 1024,
  heads: 1024,
  vocab: 1 << 21,
  seqLen: 1 << 20,
} as const;

export interface Llama2cHeader {
  dim: number;
  hiddenDim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  /** Always positive; `sharedClassifier` records the sign it had in the file. */
  vocab: number;
  seqLen: number;
  sharedClassifier: boolean;
}

/** Parses a checkpoint into the canonical Model; any malformed file is EngineError('CORRUPT_MODEL'). */
export function parseLlama2cCheckpoint(bytes: Uint8Array, name: string): Model {
  const header = readHeader(bytes, name);
  checkLength(bytes, header, name);
  const reader = new FloatReader(bytes, HEADER_BYTES, name);
  return { config: toConfig(header, name), weights: readWeights(reader, header) };
}

/**
 * Loads the checkpoint and tokenizer from a llama2.c model folder: the tokenizer is tok*.bin or
 * tokenizer.bin, the checkpoint the other *.bin file.
 */
export async function loadLlama2cFolder(dir: string): Promise<{ model: Model; tokenizer: Llama2cTokenizer }> {
  const files = await listBinFiles(dir);
  const checkpointFile = pickCheckpoint(dir, files);
  const model = parseLlama2cCheckpoint(await readModelFile(dir, checkpointFile), path.basename(checkpointFile, '.bin'));
  const tokenizerFile = pickTokenizer(dir, files, model.config.vocab);
  const tokenizer = Llama2cTokenizer.fromBytes(await readModelFile(dir, tokenizerFile), tokenizerFile);
  tokenizer.assertMatchesModel(model.config.vocab);
  return { model, tokenizer };
}

function corrupt(name: string, detail: string): EngineError {
  return new EngineError('CORRUPT_MODEL', `${name}: ${detail}`);
}

function readHeader(bytes: Uint8Array, name: string): Llama2cHeader {
  if (bytes.byteLength < HEADER_BYTES) {
    throw corrupt(name, `truncated: expected at least a ${HEADER_BYTES}-byte header, file has ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const field = (i: number): number => view.getInt32(i * 4, true);
  if (field(0) === VERSIONED_MAGIC) {
    throw new EngineError(
      'UNSUPPORTED',
      `${name}: llama2.c export version ${field(1)} is not supported; export with --version 0 (legacy)`,
    );
  }
  const header: Llama2cHeader = {
    dim: field(0),
    hiddenDim: field(1),
    layers: field(2),
    heads: field(3),
    kvHeads: field(4),
    vocab: Math.abs(field(5)),
    seqLen: field(6),
    sharedClassifier: field(5) > 0,
  };
  checkHeader(header, name);
  return header;
}

function checkHeader(h: Llama2cHeader, name: string): void {
  const inRange = (label: string, value: number, max: number): void => {
    if (value < 1 || value > max) {
      throw corrupt(name, `not a llama2.c checkpoint: header field ${label} is ${value} (expected 1..${max})`);
    }
  };
  inRange('dim', h.dim, LIMITS.dim);
  inRange('hidden_dim', h.hiddenDim, LIMITS.hiddenDim);
  inRange('n_layers', h.layers, LIMITS.layers);
  inRange('n_heads', h.heads, Math.min(LIMITS.heads, h.dim));
  inRange('n_kv_heads', h.kvHeads, h.heads);
  inRange('|vocab_size|', h.vocab, LIMITS.vocab);
  inRange('seq_len', h.seqLen, LIMITS.seqLen);
  if (h.dim % h.heads !== 0) throw corrupt(name, `n_heads ${h.heads} does not divide dim ${h.dim}`);
  if (h.heads % h.kvHeads !== 0) throw corrupt(name, `n_kv_heads ${h.kvHeads} does not divide n_heads ${h.heads}`);
  // Rotary embeddings rotate pairs of dimensions within a head.
  if ((h.dim / h.heads) % 2 !== 0) throw corrupt(name, `head size ${h.dim / h.heads} is odd`);
}

/** The tensors in file order, with their element counts. */
function sections(h: Llama2cHeader): { floats: number; ropeTables: number; classifier: number } {
  const headDim = h.dim / h.heads;
  const kvDim = h.kvHeads * headDim;
  const perLayer = 2 * h.dim + 2 * h.dim * h.dim + 2 * kvDim * h.dim + 3 * h.dim * h.hiddenDim;
  const ropeTables = 2 * ((h.seqLen * headDim) / 2);
  const classifier = h.sharedClassifier ? 0 : h.vocab * h.dim;
  const floats = h.vocab * h.dim + h.layers * perLayer + h.dim + ropeTables + classifier;
  return { floats, ropeTables, classifier };
}

function checkLength(bytes: Uint8Array, h: Llama2cHeader, name: string): void {
  const expected = HEADER_BYTES + 4 * sections(h).floats;
  const actual = bytes.byteLength;
  if (actual < expected) throw corrupt(name, `truncated: expected ${expected} bytes, file has ${actual}`);
  if (actual > expected) {
    throw corrupt(
      name,
      `${actual - expected} unexpected bytes after the weights: expected ${expected} bytes, file has ${actual}` +
        ' (the header does not describe this file)',
    );
  }
}

function toConfig(h: Llama2cHeader, name: string): ModelConfig {
  return {
    family: 'llama',
    name,
    dim: h.dim,
    hiddenDim: h.hiddenDim,
    layers: h.layers,
    heads: h.heads,
    kvHeads: h.kvHeads,
    headDim: h.dim / h.heads,
    vocab: h.vocab,
    context: h.seqLen,
    normEps: NORM_EPS,
    ropeTheta: ROPE_THETA,
    ropeStyle: 'interleaved',
  };
}

/** Reads consecutive float32 tensors, checking each for NaN/Inf. */
class FloatReader {
  private offset: number;
  private readonly aligned: boolean;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly name: string,
  ) {
    this.offset = start;
    // A Float32Array view needs 4-byte alignment and, to read the file's little-endian floats, a LE host.
    this.aligned = (bytes.byteOffset + start) % 4 === 0 && isLittleEndianHost();
  }

  /** The next `count` floats: a view over the file where possible, else a copy. */
  take(count: number, tensor: string): Float32Array {
    const data = this.aligned
      ? new Float32Array(this.bytes.buffer, this.bytes.byteOffset + this.offset, count)
      : copyFloats(this.bytes, this.offset, count);
    this.offset += 4 * count;
    checkFinite(data, tensor, this.name);
    return data;
  }

  skip(count: number): void {
    this.offset += 4 * count;
  }
}

function isLittleEndianHost(): boolean {
  return new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
}

function copyFloats(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 4 * count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

function checkFinite(data: Float32Array, tensor: string, name: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw corrupt(name, `weight ${tensor}[${i}] is ${data[i]}`);
  }
}

function readWeights(r: FloatReader, h: Llama2cHeader): LlamaWeights {
  const headDim = h.dim / h.heads;
  const kvDim = h.kvHeads * headDim;
  const perLayer = (count: number, tensor: string): Float32Array[] => {
    const all = r.take(h.layers * count, tensor);
    return Array.from({ length: h.layers }, (_, l) => all.subarray(l * count, (l + 1) * count));
  };
  const tokenEmbedding = r.take(h.vocab * h.dim, 'token_embedding');
  const attnNorm = perLayer(h.dim, 'rms_att');
  const wq = perLayer(h.dim * h.dim, 'wq');
  const wk = perLayer(kvDim * h.dim, 'wk');
  const wv = perLayer(kvDim * h.dim, 'wv');
  const wo = perLayer(h.dim * h.dim, 'wo');
  const ffnNorm = perLayer(h.dim, 'rms_ffn');
  const w1 = perLayer(h.hiddenDim * h.dim, 'w1');
  const w2 = perLayer(h.dim * h.hiddenDim, 'w2');
  const w3 = perLayer(h.hiddenDim * h.dim, 'w3');
  const finalNorm = r.take(h.dim, 'rms_final');
  // The legacy RoPE tables are recomputed by the graph from ropeTheta.
  r.skip(sections(h).ropeTables);
  const layers = Array.from(
    { length: h.layers },
    (_, l): LlamaLayer => ({
      attnNorm: attnNorm[l],
      wq: linear(wq[l], h.dim, h.dim),
      wk: linear(wk[l], h.dim, kvDim),
      wv: linear(wv[l], h.dim, kvDim),
      wo: linear(wo[l], h.dim, h.dim),
      ffnNorm: ffnNorm[l],
      w1: linear(w1[l], h.dim, h.hiddenDim),
      w2: linear(w2[l], h.hiddenDim, h.dim),
      w3: linear(w3[l], h.dim, h.hiddenDim),
    }),
  );
  const weights: LlamaWeights = { family: 'llama', tokenEmbedding, layers, finalNorm };
  if (!h.sharedClassifier) weights.lmHead = linear(r.take(h.vocab * h.dim, 'classifier'), h.dim, h.vocab);
  return weights;
}

/** A file matrix [outDim, inDim] as the canonical [inDim, outDim]. */
function linear(fileMatrix: Float32Array, inDim: number, outDim: number): Linear {
  return { w: transpose(fileMatrix, outDim, inDim), inDim, outDim };
}

function isTokenizerFile(file: string): boolean {
  return /^tok.*\.bin$/i.test(file);
}

async function listBinFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.bin'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new EngineError('MODEL_NOT_FOUND', `cannot open the model folder ${dir}: ${fsReason(err)}`);
  }
}

function pickCheckpoint(dir: string, files: string[]): string {
  const candidates = files.filter((f) => !isTokenizerFile(f));
  if (candidates.length === 0) {
    throw new EngineError(
      'MODEL_NOT_FOUND',
      `no llama2.c checkpoint in ${dir}: expected a model .bin file (e.g. stories260K.bin) next to its tokenizer (tok512.bin or tokenizer.bin)`,
    );
  }
  if (candidates.length === 1) return candidates[0];
  // A folder named after its model (stories260K/stories260K.bin) says which one is meant.
  const named = candidates.find((f) => path.basename(f, path.extname(f)) === path.basename(dir));
  if (named) return named;
  throw new EngineError(
    'MODEL_NOT_FOUND',
    `cannot tell which checkpoint to load in ${dir}: found ${candidates.join(', ')}; keep one, or name it after the folder`,
  );
}

function pickTokenizer(dir: string, files: string[], vocab: number): string {
  const candidates = files.filter(isTokenizerFile);
  if (candidates.length === 1) return candidates[0];
  const preferred = [`tok${vocab}.bin`, 'tokenizer.bin'];
  const match = preferred.map((p) => candidates.find((f) => f.toLowerCase() === p.toLowerCase())).find(Boolean);
  if (match) return match;
  const found = candidates.length === 0 ? 'none found' : `found ${candidates.join(', ')}`;
  throw new EngineError(
    'MODEL_NOT_FOUND',
    `no tokenizer for the model in ${dir}: expected tok${vocab}.bin or tokenizer.bin (${found})`,
  );
}

async function readModelFile(dir: string, file: string): Promise<Uint8Array> {
  try {
    return await readFile(path.join(dir, file));
  } catch (err) {
    if (errorCode(err) === 'ERR_FS_FILE_TOO_LARGE') {
      throw new EngineError('UNSUPPORTED', `${file} in ${dir} is too large to load`);
    }
    throw new EngineError('MODEL_NOT_FOUND', `cannot read ${file} in ${dir}: ${fsReason(err)}`);
  }
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

function fsReason(err: unknown): string {
  const code = errorCode(err);
  if (code === 'ENOENT') return 'no such folder or file';
  if (code === 'ENOTDIR') return 'not a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (err instanceof Error ? err.message : String(err));
}

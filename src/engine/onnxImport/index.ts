/**
 * Third-party ONNX decoders (e.g. a Transformers.js repository's onnx/model.onnx with its tokenizer.json and
 * config.json): decoded, their attention exposed by graph surgery and their I/O rewired to graph/names.ts
 * (wrapDecoder.ts), so the result runs where the engine's own graphs run.
 */
import { onnx } from 'onnx-proto';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import type { ExternalData, OnnxGraph } from '../graph/onnxBuilder';
import type { ModelConfig } from '../model';
import { HfTokenizer, loadHfTokenizer } from '../tokenizers/hf';
import type { AttentionKind } from './findAttention';
import { readOnnxConfig } from './onnxConfig';
import { wrapDecoderGraph } from './wrapDecoder';

/** A single protobuf message cannot exceed 2 GiB; larger exports keep weights in external data files. */
export const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;

/** Read in pieces: one read call moves at most 2 GiB, and external data files can be larger. */
const READ_CHUNK_BYTES = 256 * 2 ** 20;

/** Preferred file names, best first: the plain decoder with past, then its smaller variants. */
const PREFERRED = [
  'model.onnx',
  'decoder_with_past_model.onnx',
  'model_fp16.onnx',
  'decoder_model_merged.onnx',
  'model_quantized.onnx',
  'decoder_model.onnx',
];

export interface ImportedOnnxModel {
  /** The wrapped graph with the external data it refers to, ready for a session; I/O as graph/names.ts. */
  graph: OnnxGraph;
  config: ModelConfig;
  tokenizer: HfTokenizer;
  /** How the attention was reached (Softmax taps, a fused op's extra output, or a recomputation beside the op). */
  attention: AttentionKind;
  file: string;
}

export interface ImportedGraph {
  graph: OnnxGraph;
  attention: AttentionKind;
}

/** The ONNX file a folder holds (at its top or under onnx/), or null. */
export async function findOnnxFile(dir: string, files?: string[]): Promise<string | null> {
  const top = files ?? (await readdir(dir).catch(() => [] as string[]));
  const nested = top.includes('onnx') ? (await readdir(path.join(dir, 'onnx')).catch(() => [] as string[])).map((f) => `onnx/${f}`) : [];
  const candidates = [...top, ...nested].filter((f) => f.toLowerCase().endsWith('.onnx'));
  if (candidates.length === 0) return null;
  const preferred = PREFERRED.flatMap((p) => [p, `onnx/${p}`]).find((p) => candidates.includes(p));
  return path.join(dir, preferred ?? candidates.sort()[0]);
}

export async function loadOnnxFolder(dir: string): Promise<ImportedOnnxModel> {
  const file = await findOnnxFile(dir);
  if (!file) throw new EngineError('MODEL_NOT_FOUND', `no .onnx file in ${dir} or ${path.join(dir, 'onnx')}`);
  const config = await readOnnxConfig(dir);
  const tokenizer = await loadHfTokenizer(dir, { name: config.name, modelVocab: config.vocab });
  const bytes = await readOnnxFile(file);
  const { graph, attention } = await importOnnxGraph(bytes, config, path.dirname(file));
  return { graph, config, tokenizer, attention, file };
}

/**
 * Decodes, exposes attention and rewires the I/O. Weights the file keeps in external data files (found in
 * `baseDir`) stay external: they are read as they are and handed to onnxruntime beside the graph, which
 * copies them into its heap once, so exports beyond the 2 GiB protobuf limit load too.
 */
export async function importOnnxGraph(bytes: Uint8Array, config: ModelConfig, baseDir?: string): Promise<ImportedGraph> {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new EngineError('CORRUPT_MODEL', `not a valid ONNX file: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) throw new EngineError('CORRUPT_MODEL', 'the ONNX file has no graph');
  const externalData = await readExternalData(model, baseDir);
  const wrapped = wrapDecoderGraph(model, config);
  const graph = { bytes: onnx.ModelProto.encode(wrapped.model).finish(), externalData, halfWeights: false };
  return { graph, attention: wrapped.taps[0].kind };
}

async function readOnnxFile(file: string): Promise<Uint8Array> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new EngineError('MODEL_NOT_FOUND', `cannot read ${file}`);
  if (info.size > PROTOBUF_LIMIT_BYTES) {
    throw new EngineError('CORRUPT_MODEL', `${file} is ${info.size} bytes, more than a protobuf can hold (2 GiB)`);
  }
  return readFile(file);
}

/**
 * The files that initializers stored beside the graph (data_location EXTERNAL) point at, each read once,
 * under the location the graph names them by. Paths must stay inside the model's folder, and every
 * tensor's range must lie inside its file.
 */
async function readExternalData(model: onnx.ModelProto, baseDir: string | undefined): Promise<ExternalData[]> {
  const external = (model.graph?.initializer ?? []).filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
  if (external.length === 0) return [];
  if (!baseDir) throw new EngineError('UNSUPPORTED', 'the ONNX graph keeps its weights in external data files, which were not given');
  const root = path.resolve(baseDir);
  const files = new Map<string, Uint8Array>();
  for (const t of external) {
    const location = entry(t, 'location');
    const target = location ? path.resolve(root, location) : '';
    if (!location || !target.startsWith(root + path.sep)) {
      throw new EngineError('CORRUPT_MODEL', `initializer ${t.name} points at external data ${JSON.stringify(location)} outside the model folder`);
    }
    let data = files.get(location);
    if (!data) {
      data = await readWhole(target, t.name ?? 'an initializer');
      files.set(location, data);
    }
    const offset = Number(entry(t, 'offset') ?? 0);
    const length = Number(entry(t, 'length') ?? data.byteLength - offset);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > data.byteLength) {
      throw new EngineError('CORRUPT_MODEL', `external data for ${t.name} lies outside ${path.basename(target)} (${data.byteLength} bytes)`);
    }
  }
  return [...files].map(([location, data]) => ({ path: location, data }));
}

function entry(t: onnx.ITensorProto, key: string): string | undefined {
  return (t.externalData ?? []).find((e) => e.key === key)?.value ?? undefined;
}

async function readWhole(file: string, tensor: string): Promise<Uint8Array> {
  const handle = await open(file, 'r').catch(() => {
    throw new EngineError('MODEL_NOT_FOUND', `external data ${path.basename(file)} for ${tensor} is missing`);
  });
  try {
    const { size } = await handle.stat();
    const out = new Uint8Array(size);
    for (let done = 0; done < size; ) {
      const { bytesRead } = await handle.read(out, done, Math.min(READ_CHUNK_BYTES, size - done), done);
      if (bytesRead === 0) throw new EngineError('CORRUPT_MODEL', `external data ${path.basename(file)} is shorter than it said`);
      done += bytesRead;
    }
    return out;
  } finally {
    await handle.close();
  }
}

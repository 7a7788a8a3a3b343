/**
 * From a folder on disk to a runnable EngineModel, whatever the format inside:
 * - a Hugging Face folder: config.json + model.safetensors (or sharded, with its index) + tokenizer.json;
 * - a llama2.c checkpoint: a model .bin next to its tok*.bin / tokenizer.bin;
 * - an ONNX export: a .onnx file (top level or onnx/) + tokenizer.json + config.json.
 * The folder's files decide; nothing is guessed from its name.
 */
import { readdir, stat } from 'node:fs/promises';
import { EngineError } from '../shared/errors';
import { EngineModel } from './engineModel';
import { INDEX_FILE, SINGLE_FILE, isPickleFileName, pickleRefusal } from './formats/hfCheckpoint';
import { loadHfFolder } from './formats/hfFolder';
import { CONFIG_FILE } from './formats/hfModel';
import { loadLlama2cFolder } from './formats/llama2c';
import { findOnnxFile, loadOnnxFolder, type ImportedOnnxModel } from './onnxImport';

export type ModelFormat = 'huggingface' | 'llama2c' | 'onnx';

const EXPECTED_LAYOUTS =
  `a Hugging Face model (${CONFIG_FILE} + ${SINGLE_FILE} or ${INDEX_FILE} + tokenizer.json), ` +
  'a llama2.c checkpoint (e.g. stories260K.bin + tok512.bin), or an ONNX export (model.onnx or onnx/model.onnx + ' +
  `tokenizer.json + ${CONFIG_FILE})`;

export async function loadModelFolder(dir: string): Promise<EngineModel> {
  const format = await detectModelFormat(dir);
  switch (format) {
    case 'huggingface': {
      const { model, tokenizer } = await loadHfFolder(dir);
      return EngineModel.create(model, tokenizer);
    }
    case 'llama2c': {
      const { model, tokenizer } = await loadLlama2cFolder(dir);
      return EngineModel.create(model, tokenizer);
    }
    case 'onnx': {
      const imported = await loadOnnxFolder(dir);
      return EngineModel.fromGraph(imported.graph, imported.config, imported.tokenizer);
    }
  }
}

/** Reads an ONNX model folder and wraps its graph for the engine (attention exposed, I/O as graph/names.ts). */
export function loadOnnxModelFolder(dir: string): Promise<ImportedOnnxModel> {
  return loadOnnxFolder(dir);
}

/** Which loader a folder needs; MODEL_NOT_FOUND (saying what was expected) when nothing is recognisable. */
export async function detectModelFormat(dir: string): Promise<ModelFormat> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new EngineError('MODEL_NOT_FOUND', `model folder not found: ${dir}`);
  if (!info.isDirectory()) {
    throw new EngineError('MODEL_NOT_FOUND', `not a folder: ${dir} (give the folder that holds the model files)`);
  }
  const files = await readdir(dir).catch((err: unknown) => {
    throw new EngineError('MODEL_NOT_FOUND', `cannot list ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const hasConfig = files.includes(CONFIG_FILE);
  if (hasConfig && files.some((f) => f.endsWith('.safetensors') || f === INDEX_FILE)) return 'huggingface';
  if ((await findOnnxFile(dir, files)) !== null) return 'onnx';
  const pickle = files.find(isPickleFileName);
  if (pickle) throw pickleRefusal(dir, pickle);
  if (files.some((f) => f.toLowerCase().endsWith('.bin'))) {
    if (hasConfig) throw pickleRefusal(dir, files.find((f) => f.toLowerCase().endsWith('.bin')) ?? 'the .bin file');
    return 'llama2c';
  }
  const what = files.length === 0 ? 'it is empty' : `found ${files.slice(0, 8).join(', ')}${files.length > 8 ? ', …' : ''}`;
  throw new EngineError('MODEL_NOT_FOUND', `no model in ${dir} (${what}); expected ${EXPECTED_LAYOUTS}`);
}


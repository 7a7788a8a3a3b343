/**
 * From a folder on disk to a runnable EngineModel, whatever the format inside. Today: llama2.c checkpoints
 * with their tokenizer file.
 */
import { stat } from 'node:fs/promises';
import { EngineError } from '../shared/errors';
import { EngineModel } from './engineModel';
import { loadLlama2cFolder } from './formats/llama2c';

export async function loadModelFolder(dir: string): Promise<EngineModel> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new EngineError('MODEL_NOT_FOUND', `model folder not found: ${dir}`);
  if (!info.isDirectory()) throw new EngineError('MODEL_NOT_FOUND', `not a folder: ${dir} (give the folder that holds the model files)`);
  const { model, tokenizer } = await loadLlama2cFolder(dir);
  return EngineModel.create(model, tokenizer);
}

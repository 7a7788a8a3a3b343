/** Builds the ONNX decoder graph (I/O in names.ts) for a model of any supported family. */
import { EngineError } from '../../shared/errors';
import type { Model } from '../model';
import { buildGpt2Graph } from './gpt2';
import { buildLlamaGraph } from './llama';

export function buildGraph(model: Model): Uint8Array {
  const { config, weights } = model;
  if (config.family !== weights.family) {
    throw new EngineError('CORRUPT_MODEL', `config family ${config.family} does not match ${weights.family} weights`);
  }
  switch (weights.family) {
    case 'llama':
      return buildLlamaGraph(config, weights);
    case 'gpt2':
      return buildGpt2Graph(config, weights);
  }
}

/** Builds the ONNX decoder graph (I/O in names.ts) for a model of any supported family. */
import { EngineError } from '../../shared/errors';
import type { Model } from '../model';
import { buildGpt2Graph } from './gpt2';
import { buildLlamaGraph } from './llama';
import type { GraphBuilder, OnnxGraph } from './onnxBuilder';

export type { ExternalData, OnnxGraph } from './onnxBuilder';

/** Weights of at least this size leave the protobuf as external data (see GraphBuilder.build). */
export const EXTERNAL_DATA_MIN_BYTES = 1 << 20;

/** The model's graph with its large weights as external data: what the engine runs. */
export function buildOnnxGraph(model: Model, externalMinBytes = EXTERNAL_DATA_MIN_BYTES): OnnxGraph {
  return builderFor(model).build(externalMinBytes);
}

/** The model's graph as one self-contained ONNX file (at most 2 GiB). */
export function buildGraph(model: Model): Uint8Array {
  return builderFor(model).toBytes();
}

function builderFor(model: Model): GraphBuilder {
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

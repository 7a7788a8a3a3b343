/**
 * Input and output names of the decoder graphs built in this folder: the single source of truth shared by the
 * graph builders and the code that feeds and reads a session. Batch is always 1.
 *
 * Inputs:  input_ids int64 [1, T]; position_ids int64 [1, T] (absolute positions P..P+T-1);
 *          past_key_values.{i}.key / .value float32 [1, kvHeads, P, headDim] (P may be 0).
 * Outputs: logits float32 [1, T, vocab]; attentions.{i} float32 [1, heads, T, P+T] (softmax probabilities of
 *          every query head); present.{i}.key / .value float32 [1, kvHeads, P+T, headDim].
 */

export const INPUT_IDS = 'input_ids';
export const POSITION_IDS = 'position_ids';
export const LOGITS = 'logits';

/** Symbolic dimension names: T, P and P+T. */
export const SEQUENCE_DIM = 'sequence';
export const PAST_SEQUENCE_DIM = 'past_sequence';
export const TOTAL_SEQUENCE_DIM = 'total_sequence';

export function pastKey(layer: number): string {
  return `past_key_values.${layer}.key`;
}

export function pastValue(layer: number): string {
  return `past_key_values.${layer}.value`;
}

export function presentKey(layer: number): string {
  return `present.${layer}.key`;
}

export function presentValue(layer: number): string {
  return `present.${layer}.value`;
}

export function attention(layer: number): string {
  return `attentions.${layer}`;
}

/** All graph inputs, in the order the graph declares them. */
export function graphInputNames(layers: number): string[] {
  const names = [INPUT_IDS, POSITION_IDS];
  for (let i = 0; i < layers; i++) names.push(pastKey(i), pastValue(i));
  return names;
}

/** All graph outputs, in the order the graph declares them. */
export function graphOutputNames(layers: number): string[] {
  const names = [LOGITS];
  for (let i = 0; i < layers; i++) names.push(attention(i));
  for (let i = 0; i < layers; i++) names.push(presentKey(i), presentValue(i));
  return names;
}

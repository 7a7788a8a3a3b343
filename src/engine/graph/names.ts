/**
 * Input and output names of the decoder graphs built in this folder: the single source of truth shared by the
 * graph builders and the code that feeds and reads a session. Batch is always 1.
 *
 * Inputs:  input_ids int64 [1, T]; position_ids int64 [1, T] (absolute positions P..P+T-1);
 *          next_ids int64 [1, T] (the token that follows each position; anything valid after the last);
 *          top_k int64 [1] (how many best guesses per position the next.top_* outputs hold);
 *          past_key_values.{i}.key / .value float32 [1, kvHeads, P, headDim] (P may be 0).
 * Outputs: logits float32 [1, T, vocab]; attentions.{i} float32 [1, heads, T, P+T] (softmax probabilities of
 *          every query head); present.{i}.key / .value float32 [1, kvHeads, P+T, headDim];
 *          next.* — the next-token statistics computed inside the graph so that a caller never has to read
 *          (and exponentiate in JS) the whole [T, vocab] logits: top_logits float32 / top_ids int64
 *          [1, T, top_k] (best first, lower id first on ties), log_z float32 [1, T, 1] (log-sum-exp of each row),
 *          entropy float32 [1, T, 1] (nats), actual_logit float32 [1, T, 1] (logit of next_ids),
 *          actual_larger int64 [1, T, 1] (how many logits are strictly larger than actual_logit).
 */

export const INPUT_IDS = 'input_ids';
export const POSITION_IDS = 'position_ids';
export const NEXT_IDS = 'next_ids';
export const TOP_K = 'top_k';
export const LOGITS = 'logits';
export const NEXT_TOP_LOGITS = 'next.top_logits';
export const NEXT_TOP_IDS = 'next.top_ids';
export const NEXT_LOG_Z = 'next.log_z';
export const NEXT_ENTROPY = 'next.entropy';
export const NEXT_ACTUAL_LOGIT = 'next.actual_logit';
export const NEXT_ACTUAL_LARGER = 'next.actual_larger';
/** Every next-token statistic, in graphOutputNames order. */
export const NEXT_STATS = [NEXT_TOP_LOGITS, NEXT_TOP_IDS, NEXT_LOG_Z, NEXT_ENTROPY, NEXT_ACTUAL_LOGIT, NEXT_ACTUAL_LARGER];

/** Symbolic dimension names: T, P and P+T. */
export const SEQUENCE_DIM = 'sequence';
export const PAST_SEQUENCE_DIM = 'past_sequence';
export const TOTAL_SEQUENCE_DIM = 'total_sequence';
export const TOP_K_DIM = 'top_k';

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
  const names = [INPUT_IDS, POSITION_IDS, NEXT_IDS, TOP_K];
  for (let i = 0; i < layers; i++) names.push(pastKey(i), pastValue(i));
  return names;
}

/** All graph outputs, in the order the graph declares them. */
export function graphOutputNames(layers: number): string[] {
  const names = [LOGITS];
  for (let i = 0; i < layers; i++) names.push(attention(i));
  names.push(...NEXT_STATS);
  for (let i = 0; i < layers; i++) names.push(presentKey(i), presentValue(i));
  return names;
}

/**
 * Result types shared by the engine, the extension, the webview and the CLI.
 * Tensors are typed arrays with their shape documented next to them, never nested JS arrays.
 */

export type ModelFamily = 'llama' | 'gpt2';

/** What the views and the CLI need to know about a loaded model. */
export interface ModelInfo {
  name: string;
  family: ModelFamily;
  layers: number;
  /** Query heads; attention is reported for every one of them. */
  heads: number;
  kvHeads: number;
  /** kvHeadOf[q] is the key/value head that query head q reads (grouped-query attention). */
  kvHeadOf: number[];
  headDim: number;
  dim: number;
  vocab: number;
  /** Maximum number of positions the model accepts (tokens, BOS included). */
  context: number;
  bosId: number | null;
  eosId: number | null;
  /**
   * How the graph holds the weight matrices: float32, or the 16-bit format a large checkpoint stored them in
   * (cast to float32 where used: the same numbers, a slower run). Absent for imported ONNX files.
   */
  weights?: 'float32' | 'float16' | 'bfloat16';
}

export interface Token {
  id: number;
  /** Readable label: the piece's text, or for a byte of a multi-byte character that character and its part. */
  text: string;
  /** [start, end) in UTF-16 code units of the input string; start === end for tokens with no span. */
  start: number;
  end: number;
  /** BOS/EOS and other control tokens: they have no source span. */
  special: boolean;
}

export interface TokenProb {
  id: number;
  text: string;
  p: number;
}

/** The model's distribution for the token after position `position`. */
export interface NextTokenInfo {
  position: number;
  /** Highest-probability tokens, best first. */
  top: TokenProb[];
  /** The token that actually follows in the input (null after the last token). rank is 1-based. */
  actual: { id: number; p: number; rank: number } | null;
  /** Entropy of the full distribution, in nats. */
  entropy: number;
}

/** One layer's attention probabilities: data is [heads, T, T] row-major, rows = queries, columns = keys. */
export interface LayerAttention {
  layer: number;
  heads: number;
  size: number;
  data: Float32Array;
}

export interface InspectResult {
  model: ModelInfo;
  tokens: Token[];
  /** Only the layers asked for, in ascending order. */
  attention: LayerAttention[];
  /** One entry per position when next-token probabilities were asked for, else empty. */
  next: NextTokenInfo[];
  timings: { tokenizeMs: number; runMs: number; extractMs: number };
}

export interface InspectOptions {
  /** Top-k next tokens per position (default 10). */
  topK?: number;
  /** Which layers' attention to fetch; default all. An empty array fetches none. */
  layers?: number[];
  /** Compute next-token probabilities (default true). */
  next?: boolean;
}

export interface SamplingOptions {
  /** 0 = greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens; 0 or undefined = no limit. */
  topK?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose mass reaches p; 1 or undefined = no limit. */
  topP?: number;
  /** Seed for the sampler; the same seed gives the same tokens. */
  seed?: number;
}

export interface GenerateOptions extends SamplingOptions {
  maxTokens: number;
  /** How many entries of the sampled-from distribution each step reports (default 10). */
  reportTopK?: number;
  /** Attention rows of each new token, per layer (default true). */
  attention?: boolean;
}

export interface GenerateStep {
  /** Absolute position of the new token. */
  position: number;
  /** The chosen token and its probability in `distribution`'s terms. */
  token: TokenProb;
  /**
   * The distribution the token was drawn from (after temperature, top-k and top-p), best first. For greedy
   * decoding (temperature 0 or top-k 1) the model's own distribution at temperature 1, since a point mass
   * tells nothing.
   */
  distribution: TokenProb[];
  /** Per layer: the new token's attention row, [heads, S] where S = position + 1. Empty when not asked for. */
  attention: Float32Array[];
}

export interface GenerateResult {
  model: ModelInfo;
  promptTokens: Token[];
  steps: GenerateStep[];
  /** The generated text (prompt excluded), decoded the way the model's tokenizer does it. */
  text: string;
  stoppedBy: 'max-tokens' | 'stop-token' | 'context';
}

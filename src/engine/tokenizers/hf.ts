/**
 * Hugging Face tokenizers (tokenizer.json) through the maintained `@huggingface/tokenizers` library, which
 * does the normalising, pre-tokenising and merging exactly as the Rust `tokenizers` crate does. The library
 * reports no offsets, so spans come from aligning each token's bytes with the input's UTF-8 (byteSpans.ts);
 * labels, streaming decoding and BOS/EOS handling are the engine's, on top of the same per-token bytes.
 */
import { Tokenizer as LibraryTokenizer } from '@huggingface/tokenizers';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import type { Token } from '../../shared/types';
import { alignTokens } from './byteSpans';
import { describeTokenizerJson, pieceBytes, readableBytes, type TokenizerJsonInfo } from './hfPieces';
import { resolveSpecialTokens, type SpecialTokens } from './hfSpecials';
import {
  byteStreamDecoder,
  decodeAll,
  visibleText,
  type DecoderOptions,
  type EncodeOptions,
  type StreamingDecoder,
  type Tokenizer,
} from './tokenizer';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

const EMPTY = new Uint8Array(0);
const SPACE = 0x20;

type Json = Record<string, unknown>;

export interface HfTokenizerOptions {
  /** Shown in messages. */
  name: string;
  /** config.json's vocab_size: models often pad it past the tokenizer's last id. Default: the tokenizer's size. */
  modelVocab?: number;
  /** config.json's bos_token_id / eos_token_id, used when tokenizer_config.json names none. */
  configBosId?: number | null;
  configEosId?: number | null;
}

export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  /** Ids the tokenizer itself defines (0..size-1); ids past it exist only as padding in the model. */
  readonly tokenizerSize: number;
  private readonly info: TokenizerJsonInfo;
  private readonly specials: SpecialTokens;
  private readonly specialIds: Set<number>;
  private readonly addedContent = new Map<number, string>();
  private readonly bytesCache: (Uint8Array | undefined)[] = [];
  private readonly labelCache: (string | undefined)[] = [];

  private constructor(
    private readonly library: LibraryTokenizer,
    json: Json,
    config: Json | null,
    readonly name: string,
    options: HfTokenizerOptions,
  ) {
    this.info = describeTokenizerJson(json);
    for (const t of this.info.addedTokens) this.addedContent.set(t.id, t.content);
    this.specialIds = new Set(this.info.addedTokens.filter((t) => t.special).map((t) => t.id));
    let size = 0;
    for (const id of library.get_vocab(true).values()) size = Math.max(size, id + 1);
    this.tokenizerSize = size;
    const modelVocab = options.modelVocab ?? size;
    if (size > modelVocab) {
      throw new EngineError(
        'TOKENIZER_MISMATCH',
        `${name}: the tokenizer has ${size} tokens but the model's vocab_size is ${modelVocab}`,
      );
    }
    this.vocabSize = modelVocab;
    this.specials = resolveSpecialTokens({
      tokenizerJson: json,
      tokenizerConfig: config,
      configBosId: options.configBosId ?? null,
      configEosId: options.configEosId ?? null,
      tokenToId: (t) => library.token_to_id(t),
    });
    this.bosId = this.inRange(this.specials.bosId);
    this.eosId = this.inRange(this.specials.eosId);
  }

  /** From parsed tokenizer.json and (optional) tokenizer_config.json. */
  static fromJson(tokenizerJson: unknown, tokenizerConfig: unknown, options: HfTokenizerOptions): HfTokenizer {
    const json = asRecord(tokenizerJson);
    if (!json || !asRecord(json.model)) {
      throw new EngineError('CORRUPT_MODEL', `${options.name}: ${TOKENIZER_FILE} has no "model" section`);
    }
    const config = asRecord(tokenizerConfig);
    // The library requires these keys to exist; older files leave some out, meaning "none".
    const complete = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...json };
    let library: LibraryTokenizer;
    try {
      library = new LibraryTokenizer(complete, config ?? {});
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new EngineError('UNSUPPORTED', `${options.name}: ${TOKENIZER_FILE} cannot be used: ${reason.slice(0, 300)}`);
    }
    return new HfTokenizer(library, complete, config, options.name, options);
  }

  encode(text: string, options: EncodeOptions = {}): Token[] {
    const core = text.length === 0 ? [] : this.coreIds(text);
    const spans = alignTokens(text, core.map((id) => this.bytesOf(id)), this.info.mayInventPrefix);
    const withSpecials = options.addBos ?? true;
    const tokens: Token[] = [];
    const control = (id: number, at: number): Token => ({ id, text: this.label(id), start: at, end: at, special: true });
    if (withSpecials) for (const id of this.specials.prefix) tokens.push(control(id, 0));
    core.forEach((id, i) => {
      const span = spans[i];
      tokens.push({ id, text: span.label ?? this.label(id), start: span.start, end: span.end, special: this.specialIds.has(id) });
    });
    if (withSpecials) for (const id of this.specials.suffix) tokens.push(control(id, text.length));
    return tokens;
  }

  label(id: number): string {
    const cached = this.labelCache[this.checkId(id)];
    if (cached !== undefined) return cached;
    const added = this.addedContent.get(id);
    let label: string;
    if (added !== undefined) label = visibleText(added);
    else if (id >= this.tokenizerSize || this.library.id_to_token(id) === undefined) label = `<unused ${id}>`;
    else label = readableBytes(this.bytesOf(id));
    this.labelCache[id] = label;
    return label;
  }

  decoder(options: DecoderOptions = {}): StreamingDecoder {
    return byteStreamDecoder((previous, id) => this.decodedBytes(previous, this.checkId(id)), options);
  }

  decode(ids: readonly number[]): string {
    return decodeAll(this, ids);
  }

  /** Whether the id is a control token (BOS, EOS, <|im_start|>...). */
  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** What the id stands for, as bytes (control tokens: their literal text). */
  bytesOf(id: number): Uint8Array {
    const cached = this.bytesCache[id];
    if (cached) return cached;
    const added = this.addedContent.get(id);
    const piece = this.library.id_to_token(id);
    const bytes =
      added !== undefined ? new TextEncoder().encode(added) : piece === undefined ? EMPTY : pieceBytes(piece, this.info);
    this.bytesCache[id] = bytes;
    return bytes;
  }

  private coreIds(text: string): number[] {
    const ids = this.library.encode(text, { add_special_tokens: false }).ids;
    for (const id of ids) {
      if (!Number.isInteger(id)) {
        throw new EngineError('CORRUPT_MODEL', `${this.name}: the tokenizer produced a piece that has no id (no unk_token?)`);
      }
    }
    return ids;
  }

  /**
   * Control tokens print nothing (as decode with skip_special_tokens); SentencePiece-style tokenizers drop
   * the dummy-prefix space of the first piece after nothing or a control token.
   */
  private decodedBytes(previous: number, id: number): Uint8Array {
    if (this.specialIds.has(id)) return EMPTY;
    const bytes = this.bytesOf(id);
    const atStart = previous < 0 || this.specialIds.has(previous);
    if (this.info.decodeStripsPrefix && atStart && bytes[0] === SPACE) return bytes.subarray(1);
    return bytes;
  }

  private inRange(id: number | null): number | null {
    return id !== null && Number.isInteger(id) && id >= 0 && id < this.vocabSize ? id : null;
  }

  private checkId(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new EngineError('BAD_INPUT', `token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
    }
    return id;
  }
}

function asRecord(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

/** Reads tokenizer.json (required) and tokenizer_config.json (optional) from a model folder. */
export async function loadHfTokenizer(dir: string, options: HfTokenizerOptions): Promise<HfTokenizer> {
  const json = await readJson(path.join(dir, TOKENIZER_FILE));
  if (json === undefined) {
    throw new EngineError(
      'MODEL_NOT_FOUND',
      `no ${TOKENIZER_FILE} in ${dir}: the model's tokenizer must be in Hugging Face's tokenizer.json format`,
    );
  }
  const config = await readJson(path.join(dir, TOKENIZER_CONFIG_FILE));
  return HfTokenizer.fromJson(json, config ?? null, options);
}

/** The parsed file, undefined when it does not exist; CORRUPT_MODEL when it is not JSON. */
async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EngineError('CORRUPT_MODEL', `${path.basename(file)} in ${path.dirname(file)} is not valid JSON`);
  }
}

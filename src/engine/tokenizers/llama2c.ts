/**
 * The llama2.c tokenizer (tok*.bin / tokenizer.bin), encoding and decoding exactly as llama2.c's run.c does,
 * plus the source offsets the inspector needs.
 *
 * File: int32 max_token_length, then per token: float32 score, int32 byte length, the piece's bytes (no count:
 * the vocabulary size is however many entries the file holds). Ids 0, 1, 2 are <unk>, BOS, EOS; ids 3..258
 * are the byte-fallback pieces <0x00>..<0xFF>.
 *
 * Encoding (run.c encode()): BOS; a dummy-prefix " " piece when the text is non-empty; one piece per UTF-8
 * code point, or that code point's bytes as byte tokens (id = byte + 3) when it is not a piece; then, while
 * any adjacent pair concatenates to a piece, merge the pair whose piece scores highest (leftmost on ties).
 * Pieces are compared as bytes, as strcmp does. A priority queue gives the same merges as run.c's
 * rescan-everything loop in O(n log n), so whole documents stay fast.
 *
 * Choices where a JS string can hold what a C string cannot:
 * - A lone surrogate is encoded as U+FFFD (what TextEncoder and a UTF-8 save would write); its tokens span the
 *   lone code unit, so offsets still cover the input. decode() then gives "\uFFFD" there.
 * - U+0000 is encoded as its byte token <0x00>; run.c would stop reading the string at it.
 *
 * Decoding (run.c decode() + safe_printf()): BOS and EOS print nothing; after BOS a piece's leading space is
 * dropped; <0xXX> pieces are raw bytes; a one-byte piece that is an ASCII control other than whitespace is
 * dropped. Bytes >= 0x80 are kept and joined into UTF-8 characters: safe_printf drops them (isprint is false
 * for them), which would make every byte-fallback character vanish.
 */
import { EngineError } from '../../shared/errors';
import type { Token } from '../../shared/types';
import {
  byteStreamDecoder,
  decodeAll,
  visibleText,
  type DecoderOptions,
  type EncodeOptions,
  type StreamingDecoder,
  type Tokenizer,
} from './tokenizer';

const UNK_ID = 0;
const BOS_ID = 1;
const EOS_ID = 2;
const BYTE_OFFSET = 3; // id of <0x00>
const BYTE_PIECE_COUNT = 256;
const MAX_TOKEN_LENGTH_LIMIT = 1 << 16;
/** run.c starts its best-merge search at -1e10, so pieces scoring that low or lower are never merged. */
const MIN_MERGE_SCORE = -1e10;
const REPLACEMENT_CHAR = '\uFFFD';

export class Llama2cTokenizer implements Tokenizer {
  readonly bosId = BOS_ID;
  readonly eosId = EOS_ID;
  readonly vocabSize: number;
  /** Each piece's bytes as a binary string (one char per byte): exact byte comparison, usable as a Map key. */
  private readonly keys: string[];
  private readonly pieces: string[];
  private readonly scores: Float32Array;
  private readonly idOfKey: Map<string, number>;
  private readonly dummyPrefixId: number;
  private readonly labels: string[];

  private constructor(
    /** The file it came from, for messages. */
    readonly name: string,
    private readonly rawPieces: Uint8Array[],
    scores: Float32Array,
  ) {
    this.vocabSize = rawPieces.length;
    this.scores = scores;
    this.keys = rawPieces.map(binaryString);
    const utf8 = new TextDecoder('utf-8');
    this.pieces = rawPieces.map((bytes) => utf8.decode(bytes));
    this.idOfKey = new Map();
    // run.c binary-searches a sorted copy; with duplicate pieces (none in real files) the first id wins here.
    this.keys.forEach((key, id) => {
      if (!this.idOfKey.has(key)) this.idOfKey.set(key, id);
    });
    // run.c would push id -1 if " " were no piece; its byte token is the sane stand-in.
    this.dummyPrefixId = this.idOfKey.get(' ') ?? byteId(0x20);
    this.labels = this.pieces.map((_, id) => this.labelOf(id));
  }

  /** Parses a tok*.bin file; a malformed file is EngineError('CORRUPT_MODEL') naming `name`. */
  static fromBytes(bytes: Uint8Array, name = 'tokenizer'): Llama2cTokenizer {
    const { pieces, scores } = parseTokenizerFile(bytes, name);
    checkBytePieces(pieces, name);
    return new Llama2cTokenizer(name, pieces, scores);
  }

  /** The piece's text as stored: llama2.c files already hold sentencepiece's "▁" as " "; byte pieces read "<0xXX>". */
  piece(id: number): string {
    return this.pieces[this.checkId(id)];
  }

  score(id: number): number {
    return this.scores[this.checkId(id)];
  }

  /** llama2.c reads exactly the model's vocab_size pieces, so any difference is a mismatch. */
  assertMatchesModel(modelVocab: number): void {
    if (this.vocabSize !== modelVocab) {
      throw new EngineError(
        'TOKENIZER_MISMATCH',
        `${this.name}: tokenizer has ${this.vocabSize} tokens, model expects ${modelVocab}`,
      );
    }
  }

  encode(text: string, options: EncodeOptions = {}): Token[] {
    const seq = this.initialSequence(text, options.addBos ?? true);
    this.mergePairs(seq);
    return this.toTokens(seq);
  }

  label(id: number): string {
    return this.labels[this.checkId(id)];
  }

  decoder(options: DecoderOptions = {}): StreamingDecoder {
    return byteStreamDecoder((previous, id) => this.decodedBytes(previous, this.checkId(id)), options);
  }

  decode(ids: readonly number[]): string {
    return decodeAll(this, ids);
  }

  /** run.c decode() then safe_printf(), as bytes (see the file comment for the one deliberate difference). */
  private decodedBytes(prev: number, id: number): Uint8Array {
    if (id === BOS_ID || id === EOS_ID) return EMPTY;
    const byte = this.byteOf(id);
    if (byte !== null) return isDroppedControl(byte) ? EMPTY : Uint8Array.of(byte);
    let piece = this.rawPieces[id];
    if (prev === BOS_ID && piece[0] === 0x20) piece = piece.subarray(1);
    if (piece.length === 1 && isDroppedControl(piece[0])) return EMPTY;
    return piece;
  }

  private labelOf(id: number): string {
    if (id === UNK_ID || id === BOS_ID || id === EOS_ID) return this.pieces[id].trim();
    const byte = this.byteOf(id);
    if (byte === null) return visibleText(this.pieces[id]);
    // Alone, a high byte is only part of some character: its piece name is the honest label.
    return byte < 0x80 ? visibleText(String.fromCharCode(byte)) : this.pieces[id];
  }

  private byteOf(id: number): number | null {
    return id >= BYTE_OFFSET && id < BYTE_OFFSET + BYTE_PIECE_COUNT ? id - BYTE_OFFSET : null;
  }

  private checkId(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new EngineError('BAD_INPUT', `token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
    }
    return id;
  }

  private initialSequence(text: string, addBos: boolean): MergeSequence {
    const seq = new MergeSequence();
    if (addBos) seq.push(BOS_ID, 0, 0, null);
    if (text.length === 0) return seq;
    // The dummy prefix is invented text: it has no source, so an empty span at 0.
    seq.push(this.dummyPrefixId, 0, 0, null);
    for (const { start, end, char, bytes } of codePoints(text)) {
      const id = this.idOfKey.get(String.fromCharCode(...bytes));
      if (id !== undefined) {
        seq.push(id, start, end, null);
        continue;
      }
      const shown = visibleText(char);
      bytes.forEach((b, k) => {
        seq.push(byteId(b), start, end, bytes.length === 1 ? shown : `${shown} ${k + 1}/${bytes.length}`);
      });
    }
    return seq;
  }

  private mergePairs(seq: MergeSequence): void {
    const queue = new PairQueue();
    const offer = (left: number): void => {
      const right = seq.next[left];
      if (right < 0) return;
      const id = this.idOfKey.get(this.keys[seq.ids[left]] + this.keys[seq.ids[right]]);
      if (id === undefined || !(this.scores[id] > MIN_MERGE_SCORE)) return;
      queue.push({ score: this.scores[id], left, right, leftId: seq.ids[left], rightId: seq.ids[right], id });
    };
    for (let i = 0; i < seq.length; i++) offer(i);
    for (let pair = queue.pop(); pair !== undefined; pair = queue.pop()) {
      if (!seq.isCurrent(pair)) continue;
      seq.merge(pair.left, pair.right, pair.id);
      if (seq.prev[pair.left] >= 0) offer(seq.prev[pair.left]);
      offer(pair.left);
    }
  }

  private toTokens(seq: MergeSequence): Token[] {
    const tokens: Token[] = [];
    for (let i = seq.first(); i >= 0; i = seq.next[i]) {
      const id = seq.ids[i];
      tokens.push({
        id,
        text: seq.labels[i] ?? this.labels[id],
        start: seq.starts[i],
        end: seq.ends[i],
        special: id === BOS_ID || id === EOS_ID,
      });
    }
    return tokens;
  }
}

const EMPTY = new Uint8Array(0);

function byteId(byte: number): number {
  return BYTE_OFFSET + byte;
}

/** safe_printf skips a lone byte that is neither printable nor whitespace in the C locale. */
function isDroppedControl(byte: number): boolean {
  const printable = byte >= 0x20 && byte <= 0x7e;
  const space = byte >= 0x09 && byte <= 0x0d;
  return byte < 0x80 && !printable && !space;
}

function binaryString(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

interface CodePoint {
  start: number;
  end: number;
  /** The character as shown in labels (U+FFFD for a lone surrogate). */
  char: string;
  /** Its UTF-8 bytes. */
  bytes: number[];
}

/** Walks the code points of `text` with their UTF-16 spans and UTF-8 bytes. */
function* codePoints(text: string): Generator<CodePoint> {
  let start = 0;
  for (const raw of text) {
    const end = start + raw.length;
    const cp = raw.codePointAt(0) ?? 0;
    const lone = cp >= 0xd800 && cp <= 0xdfff;
    const char = lone ? REPLACEMENT_CHAR : raw;
    yield { start, end, char, bytes: utf8Bytes(lone ? 0xfffd : cp) };
    start = end;
  }
}

function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

interface PairCandidate {
  score: number;
  /** Node indices; nodes keep their sequence order, so a smaller left index is further left. */
  left: number;
  right: number;
  /** The ids the pair had when queued; a later merge of either side makes the candidate stale. */
  leftId: number;
  rightId: number;
  /** The merged piece. */
  id: number;
}

/** The token sequence during merging: a doubly linked list over nodes that remember their source span. */
class MergeSequence {
  readonly ids: number[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Label of an unmerged byte token (its character and part); null means "use the piece's label". */
  readonly labels: (string | null)[] = [];
  readonly prev: number[] = [];
  readonly next: number[] = [];
  private readonly alive: boolean[] = [];

  get length(): number {
    return this.ids.length;
  }

  push(id: number, start: number, end: number, label: string | null): void {
    const i = this.ids.length;
    this.ids.push(id);
    this.starts.push(start);
    this.ends.push(end);
    this.labels.push(label);
    this.prev.push(i - 1);
    this.next.push(-1);
    this.alive.push(true);
    if (i > 0) this.next[i - 1] = i;
  }

  /** Merges only ever remove the right node, so node 0 stays the head. */
  first(): number {
    return this.ids.length > 0 ? 0 : -1;
  }

  isCurrent(c: PairCandidate): boolean {
    return (
      this.alive[c.left] &&
      this.next[c.left] === c.right &&
      this.ids[c.left] === c.leftId &&
      this.ids[c.right] === c.rightId
    );
  }

  /** The merged token spans both parts (empty spans only occur at 0: BOS and the dummy prefix add no source). */
  merge(left: number, right: number, id: number): void {
    this.ids[left] = id;
    this.labels[left] = null;
    this.starts[left] = Math.min(this.starts[left], this.starts[right]);
    this.ends[left] = Math.max(this.ends[left], this.ends[right]);
    this.alive[right] = false;
    const after = this.next[right];
    this.next[left] = after;
    if (after >= 0) this.prev[after] = left;
  }
}

/** Max-heap of merge candidates: highest score first, then leftmost, as run.c's strict ">" scan picks. */
class PairQueue {
  private readonly heap: PairCandidate[] = [];

  push(c: PairCandidate): void {
    const heap = this.heap;
    heap.push(c);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  pop(): PairCandidate | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && before(heap[l], heap[best])) best = l;
      if (r < heap.length && before(heap[r], heap[best])) best = r;
      if (best === i) return top;
      [heap[i], heap[best]] = [heap[best], heap[i]];
      i = best;
    }
  }
}

function before(a: PairCandidate, b: PairCandidate): boolean {
  return a.score > b.score || (a.score === b.score && a.left < b.left);
}

function corrupt(name: string, detail: string): EngineError {
  return new EngineError('CORRUPT_MODEL', `${name}: ${detail}`);
}

function parseTokenizerFile(bytes: Uint8Array, name: string): { pieces: Uint8Array[]; scores: Float32Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) throw corrupt(name, `not a llama2.c tokenizer: ${bytes.byteLength} bytes`);
  const maxTokenLength = view.getInt32(0, true);
  if (maxTokenLength < 1 || maxTokenLength > MAX_TOKEN_LENGTH_LIMIT) {
    throw corrupt(name, `not a llama2.c tokenizer: max_token_length ${maxTokenLength}`);
  }
  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  let offset = 4;
  while (offset < bytes.byteLength) {
    const id = pieces.length;
    if (offset + 8 > bytes.byteLength) {
      throw corrupt(name, `truncated: piece ${id} needs ${offset + 8} bytes, file has ${bytes.byteLength}`);
    }
    const score = view.getFloat32(offset, true);
    const length = view.getInt32(offset + 4, true);
    offset += 8;
    if (Number.isNaN(score)) throw corrupt(name, `piece ${id} has a NaN score`);
    if (length < 0 || length > maxTokenLength) {
      throw corrupt(name, `piece ${id} claims ${length} bytes; max_token_length is ${maxTokenLength}`);
    }
    if (offset + length > bytes.byteLength) {
      throw corrupt(name, `truncated: piece ${id} needs ${offset + length} bytes, file has ${bytes.byteLength}`);
    }
    pieces.push(bytes.subarray(offset, offset + length));
    scores.push(score);
    offset += length;
  }
  return { pieces, scores: Float32Array.from(scores) };
}

/** Encoding relies on byte b being id b + 3; a file without that layout is not one we can encode with. */
function checkBytePieces(pieces: Uint8Array[], name: string): void {
  if (pieces.length < BYTE_OFFSET + BYTE_PIECE_COUNT) {
    throw corrupt(name, `only ${pieces.length} pieces; a llama2.c tokenizer has at least ${BYTE_OFFSET + BYTE_PIECE_COUNT}`);
  }
  for (let b = 0; b < BYTE_PIECE_COUNT; b++) {
    const expected = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
    const found = binaryString(pieces[byteId(b)]);
    if (found !== expected) {
      throw corrupt(name, `piece ${byteId(b)} is ${JSON.stringify(found)}, expected the byte piece ${expected}`);
    }
  }
}

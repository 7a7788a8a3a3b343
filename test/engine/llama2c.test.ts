import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError, type ErrorCode } from '../../src/shared/errors';
import { matrixFloat32, matrixLength, type LlamaWeights, type Model } from '../../src/engine/model';
import { loadLlama2cFolder, parseLlama2cCheckpoint } from '../../src/engine/formats/llama2c';

const MODEL_DIR = process.env.STORIES260K_DIR ?? path.resolve(__dirname, '../../../shared/models/stories260K');
const CHECKPOINT_BYTES = 1_056_540;
const HEADER_BYTES = 28;

function llamaWeights(model: Model): LlamaWeights {
  assert.equal(model.weights.family, 'llama');
  return model.weights as LlamaWeights;
}

function checkError(err: unknown, code: ErrorCode, pattern: RegExp): true {
  assert.ok(err instanceof EngineError, `expected an EngineError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, pattern);
  return true;
}

function expectParseError(bytes: Uint8Array, code: ErrorCode, pattern: RegExp): void {
  assert.throws(() => parseLlama2cCheckpoint(bytes, 'm'), (err: unknown) => checkError(err, code, pattern));
}

async function expectLoadError(dir: string, code: ErrorCode, pattern: RegExp): Promise<void> {
  await assert.rejects(loadLlama2cFolder(dir), (err: unknown) => checkError(err, code, pattern));
}

function withHeader(bytes: Uint8Array, fields: Partial<Record<number, number>>): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const view = new DataView(copy.buffer);
  for (const [i, value] of Object.entries(fields)) {
    if (value !== undefined) view.setInt32(Number(i) * 4, value, true);
  }
  return copy;
}

/** A tiny untied checkpoint whose every float is its own index, so positions can be checked after loading. */
function syntheticCheckpoint(): { bytes: Uint8Array; floatsBeforeClassifier: number } {
  const [dim, hidden, layers, heads, kvHeads, vocab, seqLen] = [4, 6, 1, 2, 1, 5, 3];
  const kvDim = (kvHeads * dim) / heads;
  const perLayer = 2 * dim + 2 * dim * dim + 2 * kvDim * dim + 3 * dim * hidden;
  const rope = seqLen * (dim / heads);
  const floatsBeforeClassifier = vocab * dim + layers * perLayer + dim + rope;
  const floats = floatsBeforeClassifier + vocab * dim;
  const bytes = new Uint8Array(HEADER_BYTES + 4 * floats);
  const view = new DataView(bytes.buffer);
  [dim, hidden, layers, heads, kvHeads, -vocab, seqLen].forEach((v, i) => view.setInt32(4 * i, v, true));
  for (let i = 0; i < floats; i++) view.setFloat32(HEADER_BYTES + 4 * i, i, true);
  return { bytes, floatsBeforeClassifier };
}

/** The first `count` entries of a llama2.c tokenizer file. */
function tokenizerPrefix(bytes: Uint8Array, count: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 4;
  for (let i = 0; i < count; i++) offset += 8 + view.getInt32(offset + 4, true);
  return bytes.slice(0, offset);
}

describe('llama2.c checkpoints', () => {
  let checkpoint: Uint8Array;
  let tokenizerBytes: Uint8Array;
  let tmp: string;

  before(async () => {
    checkpoint = await readFile(path.join(MODEL_DIR, 'stories260K.bin'));
    tokenizerBytes = await readFile(path.join(MODEL_DIR, 'tok512.bin'));
    tmp = await mkdtemp(path.join(os.tmpdir(), 'llama2c-test-'));
  });

  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function folderWith(name: string, files: Record<string, Uint8Array>): Promise<string> {
    const dir = path.join(tmp, name);
    await mkdir(dir, { recursive: true });
    for (const [file, bytes] of Object.entries(files)) await writeFile(path.join(dir, file), bytes);
    return dir;
  }

  describe('loadLlama2cFolder on stories260K', () => {
    it('reads the architecture from the header', async () => {
      const { model, tokenizer } = await loadLlama2cFolder(MODEL_DIR);
      assert.deepEqual(model.config, {
        family: 'llama',
        name: 'stories260K',
        dim: 64,
        hiddenDim: 172,
        layers: 5,
        heads: 8,
        kvHeads: 4,
        headDim: 8,
        vocab: 512,
        context: 512,
        normEps: 1e-5,
        ropeTheta: 10000,
        ropeStyle: 'interleaved',
      });
      assert.equal(tokenizer.vocabSize, 512);
    });

    it('lays the weights out [in, out] with a tied classifier', async () => {
      const { model } = await loadLlama2cFolder(MODEL_DIR);
      const w = llamaWeights(model);
      assert.equal(matrixLength(w.tokenEmbedding), 512 * 64);
      assert.equal(w.finalNorm.length, 64);
      assert.equal(w.lmHead, undefined);
      assert.equal(w.layers.length, 5);
      const layer = w.layers[4];
      assert.equal(layer.attnNorm.length, 64);
      assert.deepEqual(
        [layer.wq, layer.wk, layer.wv, layer.wo, layer.w1, layer.w2, layer.w3].map((l) => [l.inDim, l.outDim, matrixLength(l.w)]),
        [
          [64, 64, 4096],
          [64, 32, 2048],
          [64, 32, 2048],
          [64, 64, 4096],
          [64, 172, 11008],
          [172, 64, 11008],
          [64, 172, 11008],
        ],
      );
    });

    it('transposes the file matrices: canonical wq[in][out] is the file wq[out][in]', () => {
      const model = parseLlama2cCheckpoint(checkpoint, 'stories260K');
      const w = llamaWeights(model);
      const view = new DataView(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength);
      const wqStart = HEADER_BYTES + 4 * (512 * 64 + 5 * 64); // after the embedding and rms_att
      const fileWq0 = (out: number, inp: number): number => view.getFloat32(wqStart + 4 * (out * 64 + inp), true);
      for (const [inp, out] of [
        [0, 1],
        [3, 60],
        [63, 0],
        [17, 42],
      ]) {
        assert.equal(matrixFloat32(w.layers[0].wq.w)[inp * 64 + out], fileWq0(out, inp));
      }
      assert.equal(matrixFloat32(w.tokenEmbedding)[5 * 64 + 7], view.getFloat32(HEADER_BYTES + 4 * (5 * 64 + 7), true));
    });
  });

  describe('parseLlama2cCheckpoint', () => {
    it('reads an untied classifier after the RoPE tables as lmHead [dim, vocab]', () => {
      const { bytes, floatsBeforeClassifier } = syntheticCheckpoint();
      const model = parseLlama2cCheckpoint(bytes, 'tiny');
      assert.equal(model.config.vocab, 5);
      const head = llamaWeights(model).lmHead;
      assert.ok(head);
      assert.deepEqual([head.inDim, head.outDim], [4, 5]);
      // file classifier[v][d] = floatsBeforeClassifier + v * dim + d, canonical w[d][v]
      assert.equal(matrixFloat32(head.w)[1 * 5 + 3], floatsBeforeClassifier + 3 * 4 + 1);
    });

    it('reads the same weights from an unaligned buffer', () => {
      const { bytes } = syntheticCheckpoint();
      const shifted = new Uint8Array(bytes.length + 1).subarray(1);
      shifted.set(bytes);
      const a = llamaWeights(parseLlama2cCheckpoint(bytes, 'tiny'));
      const b = llamaWeights(parseLlama2cCheckpoint(shifted, 'tiny'));
      assert.deepEqual(b.tokenEmbedding, a.tokenEmbedding);
      assert.deepEqual(b.layers[0].w2.w, a.layers[0].w2.w);
      assert.deepEqual(b.lmHead?.w, a.lmHead?.w);
    });

    it('reports a truncated file with the expected and actual sizes', () => {
      expectParseError(
        checkpoint.subarray(0, 1000),
        'CORRUPT_MODEL',
        new RegExp(`^m: truncated: expected ${CHECKPOINT_BYTES} bytes, file has 1000$`),
      );
      expectParseError(checkpoint.subarray(0, 10), 'CORRUPT_MODEL', /truncated/);
    });

    it('reports bytes beyond what the header describes', () => {
      const longer = new Uint8Array(CHECKPOINT_BYTES + 8);
      longer.set(checkpoint);
      expectParseError(longer, 'CORRUPT_MODEL', new RegExp(`8 unexpected bytes.*expected ${CHECKPOINT_BYTES} bytes, file has ${CHECKPOINT_BYTES + 8}`));
    });

    it('rejects absurd or inconsistent headers before reading weights', () => {
      expectParseError(withHeader(checkpoint, { 0: 1 << 30 }), 'CORRUPT_MODEL', /header field dim is 1073741824/);
      expectParseError(withHeader(checkpoint, { 2: 0 }), 'CORRUPT_MODEL', /n_layers is 0/);
      expectParseError(withHeader(checkpoint, { 3: 7 }), 'CORRUPT_MODEL', /n_heads 7 does not divide dim 64/);
      expectParseError(withHeader(checkpoint, { 4: 3 }), 'CORRUPT_MODEL', /n_kv_heads 3 does not divide n_heads 8/);
      expectParseError(withHeader(checkpoint, { 5: -(1 << 30) }), 'CORRUPT_MODEL', /vocab_size/);
      expectParseError(withHeader(checkpoint, { 6: -1 }), 'CORRUPT_MODEL', /seq_len is -1/);
      expectParseError(withHeader(checkpoint, { 1: 173 }), 'CORRUPT_MODEL', /file has 1056540/);
    });

    it('rejects NaN and infinite weights, naming the tensor', () => {
      const copy = Uint8Array.from(checkpoint);
      new DataView(copy.buffer).setFloat32(HEADER_BYTES + 4 * (512 * 64 + 5 * 64 + 10), NaN, true);
      expectParseError(copy, 'CORRUPT_MODEL', /weight wq\[10\] is NaN/);
      new DataView(copy.buffer).setFloat32(HEADER_BYTES, Infinity, true);
      expectParseError(copy, 'CORRUPT_MODEL', /weight token_embedding\[0\] is Infinity/);
    });

    it('refuses the versioned llama2.c export format', () => {
      expectParseError(withHeader(checkpoint, { 0: 0x616b3432, 1: 2 }), 'UNSUPPORTED', /version 2/);
    });

    it('throws only EngineErrors on damaged headers and garbage', () => {
      let seed = 7;
      const random = (): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (let i = 0; i < 300; i++) {
        const damaged = Uint8Array.from(checkpoint.subarray(0, 4096 + Math.floor(random() * 8192)));
        for (let k = 0; k < 3; k++) damaged[Math.floor(random() * HEADER_BYTES)] = Math.floor(random() * 256);
        const garbage = Uint8Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256));
        for (const bytes of [damaged, garbage]) {
          try {
            parseLlama2cCheckpoint(bytes, 'fuzz');
          } catch (err) {
            assert.ok(err instanceof EngineError, `non-EngineError: ${String(err)}`);
          }
        }
      }
    });
  });

  describe('loadLlama2cFolder errors', () => {
    it('reports a missing folder', async () => {
      const dir = path.join(tmp, 'does-not-exist');
      await expectLoadError(dir, 'MODEL_NOT_FOUND', /cannot open the model folder .*does-not-exist: no such folder or file/);
    });

    it('reports a folder without a checkpoint, naming the folder and what was expected', async () => {
      const dir = await folderWith('empty', {});
      await expectLoadError(dir, 'MODEL_NOT_FOUND', /no llama2\.c checkpoint in .*empty: expected a model \.bin file/);
      const onlyTokenizer = await folderWith('only-tokenizer', { 'tok512.bin': tokenizerBytes });
      await expectLoadError(onlyTokenizer, 'MODEL_NOT_FOUND', /no llama2\.c checkpoint in .*only-tokenizer/);
    });

    it('reports a checkpoint without a tokenizer', async () => {
      const dir = await folderWith('no-tokenizer', { 'stories260K.bin': checkpoint });
      await expectLoadError(dir, 'MODEL_NOT_FOUND', /no tokenizer .*no-tokenizer: expected tok512\.bin or tokenizer\.bin/);
    });

    it('reports a truncated checkpoint as CORRUPT_MODEL', async () => {
      const dir = await folderWith('truncated', {
        'stories260K.bin': checkpoint.subarray(0, 500_000),
        'tok512.bin': tokenizerBytes,
      });
      await expectLoadError(dir, 'CORRUPT_MODEL', /^stories260K: truncated: expected 1056540 bytes, file has 500000$/);
    });

    it('reports a tokenizer whose vocabulary differs from the model', async () => {
      const dir = await folderWith('mismatch', {
        'stories260K.bin': checkpoint,
        'tokenizer.bin': tokenizerPrefix(tokenizerBytes, 300),
      });
      await expectLoadError(dir, 'TOKENIZER_MISMATCH', /tokenizer has 300 tokens, model expects 512/);
    });

    it('picks the checkpoint named after its folder and the tokenizer sized for the model', async () => {
      const dir = await folderWith('stories260K', {
        'stories260K.bin': checkpoint,
        'other.bin': checkpoint.subarray(0, 100),
        'tok512.bin': tokenizerBytes,
        'tok300.bin': tokenizerPrefix(tokenizerBytes, 300),
      });
      const { model, tokenizer } = await loadLlama2cFolder(dir);
      assert.equal(model.config.name, 'stories260K');
      assert.equal(tokenizer.vocabSize, 512);
    });

    it('refuses to guess between several checkpoints', async () => {
      const dir = await folderWith('ambiguous', {
        'a.bin': checkpoint,
        'b.bin': checkpoint,
        'tok512.bin': tokenizerBytes,
      });
      await expectLoadError(dir, 'MODEL_NOT_FOUND', /cannot tell which checkpoint .*found a\.bin, b\.bin/);
    });
  });
});

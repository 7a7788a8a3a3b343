import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import * as io from '../../../src/engine/graph/names';
import { importOnnxGraph } from '../../../src/engine/onnxImport';
import { GraphEditor } from '../../../src/engine/onnxImport/graphEditor';
import { legacyAttentionProbs } from '../../../src/engine/onnxImport/legacyAttention';
import { referenceForward } from '../../../src/engine/reference';
import { float32Tensor, ModelSession, type Feeds } from '../../../src/engine/runtime';
import { randomGpt2Model, SeededRandom } from '../../../src/engine/testing/randomModels';
import { maxAbsDiff, rejectsWith } from '../../helpers/assertions';
import { engineFeeds, presents } from '../../helpers/onnxFeeds';
import { optimizedGpt2Graph, type OptimizedGpt2Options } from '../../helpers/onnxOptimizedGpt2';
import { float, int, ints, MS, T, valueInfo } from '../../helpers/onnxTestGraph';

describe('ONNX import: com.microsoft.Attention, probabilities recomputed beside the op', () => {
  describe('an onnxruntime-optimised GPT-2 (fused QKV, stacked past_{i}/present_{i})', () => {
    const model = randomGpt2Model({}, 21);
    const { config } = model;
    const ids = [3, 17, 42, 8, 90, 5, 23, 61];
    const n = ids.length;
    const variants: [string, OptimizedGpt2Options][] = [
      ['opset 11, Q/K/V in equal thirds', { opset: 11 }],
      ['opset 14, qkv_hidden_sizes', { opset: 14, qkvHiddenSizes: true }],
    ];

    for (const [what, options] of variants) {
      it(`${what}: attention and logits match the reference pass; decode rows equal a full recompute`, async () => {
        const imported = await importOnnxGraph(optimizedGpt2Graph(model, options), config);
        assert.equal(imported.attention, 'LegacyAttention');
        const session = await ModelSession.create(imported.graph);
        try {
          const names = io.graphOutputNames(config.layers);
          const full = await session.run(engineFeeds(config, ids, 0, null), names);
          const ref = referenceForward(model, ids);
          for (let l = 0; l < config.layers; l++) {
            const probs = full[io.attention(l)];
            assert.deepEqual(probs.dims, [1, config.heads, n, n]);
            assert.ok(maxAbsDiff(probs.data as Float32Array, ref.attention[l]) <= 1e-5, `layer ${l}`);
            checkRows(probs.data as Float32Array, config.heads, n, n);
          }
          assert.ok(maxAbsDiff(full[io.LOGITS].data as Float32Array, ref.logits) <= 1e-4, 'logits');

          // Prefill five tokens, then decode the rest one at a time on the returned cache.
          const split = 5;
          let out = await session.run(engineFeeds(config, ids.slice(0, split), 0, null), names);
          for (let t = split; t < n; t++) {
            out = await session.run(engineFeeds(config, [ids[t]], t, presents(out, config.layers)), names);
            for (let l = 0; l < config.layers; l++) {
              const row = out[io.attention(l)];
              assert.deepEqual(row.dims, [1, config.heads, 1, t + 1]);
              const expected = fullRows(full[io.attention(l)].data as Float32Array, config.heads, n, t);
              assert.ok(maxAbsDiff(row.data as Float32Array, expected) <= 1e-5, `decode at ${t}, layer ${l}`);
            }
          }
        } finally {
          await session.release();
        }
      });
    }

    const refused: [string, onnx.IAttributeProto[], RegExp][] = [
      ['do_rotary=1', [int('do_rotary', 1)], /uses do_rotary=1 \(rotary embedding applied inside the op\)/],
      ['past_present_share_buffer=1', [int('past_present_share_buffer', 1)], /uses past_present_share_buffer=1/],
      ['an attribute it does not know', [int('smooth_softmax', 1)], /uses the attribute smooth_softmax/],
    ];
    for (const [what, attributes, message] of refused) {
      it(`refuses ${what}, naming it`, async () => {
        await assert.rejects(importOnnxGraph(optimizedGpt2Graph(model, { attentionAttributes: attributes }), config), rejectsWith('UNSUPPORTED', message));
      });
    }

    it('refuses a mask_index other than a 0/1 mask (1-D end positions)', async () => {
      const decoded = onnx.ModelProto.decode(optimizedGpt2Graph(model));
      const mask = (decoded.graph?.input ?? []).find((i) => i.name === 'attention_mask');
      assert.ok(mask);
      mask.type = { tensorType: { elemType: T.INT32, shape: { dim: [{ dimParam: 'batch_size' }] } } };
      await assert.rejects(importOnnxGraph(onnx.ModelProto.encode(decoded).finish(), config), rejectsWith('UNSUPPORTED', /mask_index of rank 1/));
    });
  });

  describe('the recomputed probabilities are the ones the op applies (its output = probabilities x V)', () => {
    const cases: OpCase[] = [
      {
        what: '2-D padding mask, past keys, scale and mask_filter_value',
        widths: [8, 8, 8],
        past: 2,
        mask: '2d',
        attentionBias: false,
        causal: true,
        attributes: [float('scale', 0.3), float('mask_filter_value', -5000)],
      },
      {
        // The kernel takes attention_bias only without past.
        what: '3-D mask, attention_bias, no causal mask, V wider than Q and K (qkv_hidden_sizes)',
        widths: [8, 8, 12],
        past: 0,
        mask: '3d',
        attentionBias: true,
        causal: false,
        attributes: [ints('qkv_hidden_sizes', [8, 8, 12])],
      },
    ];
    for (const c of cases) {
      it(c.what, async () => {
        const op = singleAttention(c);
        const session = await ModelSession.create(op.graph);
        try {
          const out = await session.run(op.feeds, ['y', op.probs]);
          const probs = out[op.probs].data as Float32Array;
          const { queries, total } = op;
          checkRows(probs, HEADS, queries, c.causal ? c.past : total);
          for (let t = 0; t < HEADS * queries * total; t++) {
            if (op.keyMasked(Math.floor(t / total) % queries, t % total)) assert.equal(probs[t], 0, 'masked keys get nothing');
          }
          assert.ok(maxAbsDiff(out.y.data as Float32Array, op.expectedOutput(probs)) <= 1e-5);
        } finally {
          await session.release();
        }
      });
    }
  });
});

/** Each row of [heads, T, S] sums to 1 and is exactly 0 after key past + t (pass S as `past` for no causal mask). */
function checkRows(probs: Float32Array, heads: number, rows: number, past: number): void {
  const keys = probs.length / (heads * rows);
  for (let r = 0; r < heads * rows; r++) {
    const row = probs.subarray(r * keys, (r + 1) * keys);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) <= 1e-5, `row ${r} sums to 1`);
    for (let s = past + (r % rows) + 1; s < keys; s++) assert.equal(row[s], 0, `row ${r}: future key ${s}`);
  }
}

/** Query t's row of every head, its first t + 1 entries, from the full [1, heads, n, n] probabilities. */
function fullRows(full: Float32Array, heads: number, n: number, t: number): Float32Array {
  const out = new Float32Array(heads * (t + 1));
  for (let h = 0; h < heads; h++) out.set(full.subarray((h * n + t) * n, (h * n + t) * n + t + 1), h * (t + 1));
  return out;
}

// ---- one com.microsoft.Attention node, its probabilities exposed, and what its output must then be ----

const HEADS = 2;
const QUERIES = 4;
const INPUT_WIDTH = 6;

interface OpCase {
  what: string;
  /** Q, K and V widths of the fused projection. */
  widths: [number, number, number];
  past: number;
  mask: '2d' | '3d';
  attentionBias: boolean;
  causal: boolean;
  /** Attributes besides num_heads and unidirectional. */
  attributes: onnx.IAttributeProto[];
}

interface SingleAttention {
  graph: Uint8Array;
  feeds: Feeds;
  probs: string;
  queries: number;
  total: number;
  keyMasked(query: number, key: number): boolean;
  /** The op's output [1, T, heads * v_head_size] if it used `probs` [1, heads, T, S]. */
  expectedOutput(probs: Float32Array): Float32Array;
}

function singleAttention(c: OpCase): SingleAttention {
  const rng = new SeededRandom(c.widths[2] + c.past);
  const [qWidth, kWidth, vWidth] = c.widths;
  const width = qWidth + kWidth + vWidth;
  const vHead = vWidth / HEADS;
  const total = c.past + QUERIES;
  const x = rng.normal(QUERIES * INPUT_WIDTH, 0, 1);
  const w = rng.normal(INPUT_WIDTH * width, 0, 0.7);
  const b = rng.normal(width, 0, 0.1);
  const past = rng.normal(2 * HEADS * c.past * vHead, 0, 1);
  const bias = rng.normal(HEADS * QUERIES * total, 0, 0.5);
  // 2-D: the second key is padding; 3-D: a fixed pattern that keeps each query's own key.
  const keyMasked = (query: number, key: number): boolean => (c.mask === '2d' ? key === 1 : key !== c.past + query && (query + 2 * key) % 3 === 0);
  const mask = new Int32Array((c.mask === '2d' ? 1 : QUERIES) * total).map((_, i) => (keyMasked(Math.floor(i / total), i % total) ? 0 : 1));

  const feeds: Feeds = {
    x: float32Tensor(x, [1, QUERIES, INPUT_WIDTH]),
    mask_index: new ort.Tensor('int32', mask, c.mask === '2d' ? [1, total] : [1, QUERIES, total]),
  };
  const inputs = [valueInfo('x', T.FLOAT, [1, 'T', INPUT_WIDTH]), valueInfo('mask_index', T.INT32, c.mask === '2d' ? [1, 'S'] : [1, 'T', 'S'])];
  if (c.past > 0) {
    feeds.past = float32Tensor(past, [2, 1, HEADS, c.past, vHead]);
    inputs.push(valueInfo('past', T.FLOAT, [2, 1, HEADS, 'P', vHead]));
  }
  if (c.attentionBias) {
    feeds.attention_bias = float32Tensor(bias, [1, HEADS, QUERIES, total]);
    inputs.push(valueInfo('attention_bias', T.FLOAT, [1, HEADS, 'T', 'S']));
  }
  const node: onnx.INodeProto = {
    name: 'Attention_0',
    opType: 'Attention',
    domain: MS,
    input: ['x', 'w', 'b', 'mask_index', c.past > 0 ? 'past' : '', c.attentionBias ? 'attention_bias' : ''],
    output: c.past > 0 ? ['y', 'present'] : ['y'],
    attribute: [int('num_heads', HEADS), int('unidirectional', c.causal ? 1 : 0), ...c.attributes],
  };
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 14 },
      { domain: MS, version: 1 },
    ],
    graph: {
      name: 'one attention',
      node: [node],
      initializer: [
        { name: 'w', dataType: T.FLOAT, dims: [INPUT_WIDTH, width], rawData: new Uint8Array(w.buffer) },
        { name: 'b', dataType: T.FLOAT, dims: [width], rawData: new Uint8Array(b.buffer) },
      ],
      input: inputs,
      output: [valueInfo('y', T.FLOAT, [1, 'T', vWidth])],
    },
  };
  const editor = new GraphEditor(model);
  const probs = legacyAttentionProbs(editor, node);
  editor.graph.output?.push(valueInfo(probs, T.FLOAT, [1, HEADS, 'T', 'S']));

  const expectedOutput = (p: Float32Array): Float32Array => {
    const value = (h: number, key: number, d: number): number => {
      if (key < c.past) return past[((HEADS + h) * c.past + key) * vHead + d];
      let sum = b[qWidth + kWidth + h * vHead + d];
      for (let i = 0; i < INPUT_WIDTH; i++) sum += x[(key - c.past) * INPUT_WIDTH + i] * w[i * width + qWidth + kWidth + h * vHead + d];
      return sum;
    };
    const y = new Float32Array(QUERIES * vWidth);
    for (let h = 0; h < HEADS; h++) {
      for (let t = 0; t < QUERIES; t++) {
        for (let d = 0; d < vHead; d++) {
          let sum = 0;
          for (let s = 0; s < total; s++) sum += p[(h * QUERIES + t) * total + s] * value(h, s, d);
          y[t * vWidth + h * vHead + d] = sum;
        }
      }
    }
    return y;
  };
  return { graph: onnx.ModelProto.encode(model).finish(), feeds, probs, queries: QUERIES, total, keyMasked, expectedOutput };
}

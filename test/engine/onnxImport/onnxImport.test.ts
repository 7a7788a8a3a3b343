import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { buildGraph } from '../../../src/engine/graph';
import * as io from '../../../src/engine/graph/names';
import { inspect } from '../../../src/engine/inspect';
import { detectModelFormat, loadModelFolder, loadOnnxModelFolder } from '../../../src/engine/loadModel';
import type { Model, ModelConfig } from '../../../src/engine/model';
import { importOnnxGraph } from '../../../src/engine/onnxImport';
import { referenceForward } from '../../../src/engine/reference';
import { ModelSession } from '../../../src/engine/runtime';
import { randomGpt2Model, randomLlamaModel } from '../../../src/engine/testing/randomModels';
import {
  attentionInsideIf,
  handBuiltDecoder,
  mergedDecoder,
  strippedEngineGraph,
  tinyDecoder,
  tinyDecoderReference,
  type TinyDecoder,
} from '../../helpers/hfOnnxGraphs';
import { writeHfFolder } from '../../helpers/hfWriter';
import { maxAbsDiff, rejectsWith } from '../../helpers/assertions';
import { engineFeeds, presents, TOP_K } from '../../helpers/onnxFeeds';

function tinyConfig(m: TinyDecoder): ModelConfig {
  return {
    family: 'llama',
    name: 'tiny',
    dim: m.dim,
    hiddenDim: m.dim,
    layers: m.layers,
    heads: m.heads,
    kvHeads: m.heads,
    headDim: m.headDim,
    vocab: m.vocab,
    context: 64,
    normEps: 1e-5,
  };
}

describe('ONNX import: attention exposed by graph surgery', function () {
  describe('the engine’s own graphs, stripped of their attention outputs', () => {
    const models: [string, Model][] = [
      ['gpt2', randomGpt2Model({}, 11)],
      ['llama (grouped-query)', randomLlamaModel({}, 12)],
    ];
    for (const [name, model] of models) {
      it(`${name}: re-exposed attention, logits, next-token statistics and cache equal the original graph's`, async () => {
        const { config } = model;
        const original = await ModelSession.create(buildGraph(model));
        const imported = await importOnnxGraph(strippedEngineGraph(model), config);
        assert.equal(imported.attention, 'softmax');
        const wrapped = await ModelSession.create(imported.graph);
        try {
          const prompt = [3, 17, 42, 8, 90, 5, 23];
          const names = io.graphOutputNames(config.layers);
          const a = await original.run(engineFeeds(config, prompt, 0, null), names);
          const b = await wrapped.run(engineFeeds(config, prompt, 0, null), names);
          for (const out of names) assert.ok(maxAbsDiff(a[out].data as Float32Array, b[out].data as Float32Array) <= 1e-6, `prefill ${out}`);
          // One decode step on the cache each graph returned.
          const stepA = await original.run(engineFeeds(config, [7], prompt.length, presents(a, config.layers)), names);
          const stepB = await wrapped.run(engineFeeds(config, [7], prompt.length, presents(b, config.layers)), names);
          for (const out of names) assert.ok(maxAbsDiff(stepA[out].data as Float32Array, stepB[out].data as Float32Array) <= 1e-6, `decode ${out}`);
          assert.deepEqual(stepB[io.attention(0)].dims, [1, config.heads, 1, prompt.length + 1]);
          const ref = referenceForward(model, [...prompt, 7]);
          const last = stepB[io.attention(config.layers - 1)].data as Float32Array;
          const T = prompt.length + 1;
          for (let h = 0; h < config.heads; h++) {
            for (let s = 0; s < T; s++) {
              assert.ok(Math.abs(last[h * T + s] - ref.attention[config.layers - 1][(h * T + T - 1) * T + s]) < 1e-5);
            }
          }
        } finally {
          await original.release();
          await wrapped.release();
        }
      });
    }
  });

  describe('a hand-built opset-14 decoder (rank-3 softmax, attention_mask, no position_ids)', () => {
    const m = tinyDecoder();
    const config = tinyConfig(m);
    const ids = [1, 5, 9, 2, 33, 17, 4, 0, 12];

    async function checkAgainstReference(bytes: Uint8Array, tolerance: number, decode: boolean, logitTolerance = 1e-4): Promise<void> {
      const imported = await importOnnxGraph(bytes, config);
      const session = await ModelSession.create(imported.graph);
      try {
        const names = io.graphOutputNames(config.layers);
        const split = decode ? 6 : ids.length;
        const prefill = await session.run(engineFeeds(config, ids.slice(0, split), 0, null), names);
        const step = decode ? await session.run(engineFeeds(config, ids.slice(split), split, presents(prefill, config.layers)), names) : prefill;
        const ref = tinyDecoderReference(m, ids);
        const n = ids.length;
        const rows = ids.length - (decode ? split : 0);
        for (let l = 0; l < m.layers; l++) {
          const got = step[io.attention(l)];
          assert.deepEqual(got.dims, [1, m.heads, rows, n]);
          const data = got.data as Float32Array;
          for (let h = 0; h < m.heads; h++) {
            for (let r = 0; r < rows; r++) {
              const t = n - rows + r;
              for (let s = 0; s < n; s++) {
                const diff = Math.abs(data[(h * rows + r) * n + s] - ref.attention[l][(h * n + t) * n + s]);
                assert.ok(diff <= tolerance, `layer ${l} head ${h} query ${t} key ${s}: off by ${diff}`);
              }
            }
          }
        }
        const logits = step[io.LOGITS].data as Float32Array;
        assert.ok(maxAbsDiff(logits, ref.logits.subarray((n - rows) * m.vocab)) <= logitTolerance);
        // next.*: the top guess of each row is the row's largest logit, log Z its log-sum-exp.
        const topIds = step[io.NEXT_TOP_IDS].data as BigInt64Array;
        const logZ = step[io.NEXT_LOG_Z].data as Float32Array;
        for (let r = 0; r < rows; r++) {
          const row = Array.from(logits.subarray(r * m.vocab, (r + 1) * m.vocab));
          const max = Math.max(...row);
          assert.equal(Number(topIds[r * TOP_K]), row.indexOf(max));
          const z = max + Math.log(row.reduce((acc, x) => acc + Math.exp(x - max), 0));
          assert.ok(Math.abs(logZ[r] - z) < 1e-4);
        }
      } finally {
        await session.release();
      }
    }

    it('prefill and a decode step match a plain recomputation', async () => {
      await checkAgainstReference(handBuiltDecoder(m), 1e-5, false);
      await checkAgainstReference(handBuiltDecoder(m), 1e-5, true);
    });

    it('a float16 export is driven with float32 feeds and returns float32 outputs', async () => {
      // The export rounds its logits to float16; its cache too, so a decode step is close, not exact.
      await checkAgainstReference(handBuiltDecoder(m, { float16: true }), 1e-5, false, 1e-2);
      await checkAgainstReference(handBuiltDecoder(m, { float16: true }), 2e-3, true, 1e-2);
    });

    const fusedCases = [
      ['attention23', 'Attention', 'the ONNX Attention op (opset 23), through qk_matmul_output_mode=3'],
      ['gqa', 'GroupQueryAttention', 'com.microsoft.GroupQueryAttention, through qk_output=2'],
      ['mha', 'MultiHeadAttention', 'com.microsoft.MultiHeadAttention, by a Softmax on its QK output'],
    ] as const;
    for (const [fused, kind, what] of fusedCases) {
      it(`a fused op gives its probabilities: ${what}`, async () => {
        const imported = await importOnnxGraph(handBuiltDecoder(m, { fused }), config);
        assert.equal(imported.attention, kind);
        await checkAgainstReference(handBuiltDecoder(m, { fused }), 1e-5, false);
        await checkAgainstReference(handBuiltDecoder(m, { fused }), 1e-5, true);
      });
    }

    it('a merged decoder (Optimum’s If on use_cache_branch) equals the plain with-past export, prefill and decode', async () => {
      const merged = mergedDecoder(handBuiltDecoder(m), handBuiltDecoder(m, { withPast: false }));
      const [plain, inlined] = await Promise.all([importOnnxGraph(handBuiltDecoder(m), config), importOnnxGraph(merged, config)]);
      assert.equal(inlined.attention, 'softmax');
      const graph = onnx.ModelProto.decode(inlined.graph.bytes).graph as onnx.GraphProto;
      assert.ok(!graph.node.some((n) => n.opType === 'If'), 'the If is gone');
      assert.ok(!graph.input.some((i) => i.name === 'use_cache_branch'), 'the engine has no use_cache_branch to feed');
      const sessions = await Promise.all([ModelSession.create(plain.graph), ModelSession.create(inlined.graph)]);
      try {
        const names = io.graphOutputNames(config.layers);
        const split = 6;
        const [a, b] = await Promise.all(sessions.map((s) => s.run(engineFeeds(config, ids.slice(0, split), 0, null), names)));
        const [stepA, stepB] = await Promise.all([
          sessions[0].run(engineFeeds(config, ids.slice(split), split, presents(a, config.layers)), names),
          sessions[1].run(engineFeeds(config, ids.slice(split), split, presents(b, config.layers)), names),
        ]);
        for (const out of names) {
          assert.ok(maxAbsDiff(a[out].data as Float32Array, b[out].data as Float32Array) <= 1e-6, `prefill ${out}`);
          assert.ok(maxAbsDiff(stepA[out].data as Float32Array, stepB[out].data as Float32Array) <= 1e-6, `decode ${out}`);
        }
      } finally {
        await Promise.all(sessions.map((s) => s.release()));
      }
      await checkAgainstReference(merged, 1e-5, true);
    });
  });

  describe('graphs that cannot be driven are refused clearly', () => {
    const m = tinyDecoder();
    const config = tinyConfig(m);

    it('attention hidden inside an If that is not a merged decoder’s use_cache_branch switch', async () => {
      const small: ModelConfig = { ...config, layers: 1, heads: 1, kvHeads: 1, headDim: 4, vocab: 8 };
      await assert.rejects(importOnnxGraph(attentionInsideIf(), small), rejectsWith('UNSUPPORTED', /inside If\/Loop subgraphs.*model\.onnx/));
    });

    it('a layer count that disagrees with config.json', async () => {
      await assert.rejects(importOnnxGraph(handBuiltDecoder(m), { ...config, layers: 3 }), rejectsWith('UNSUPPORTED', /past_key_values\.2\.key.*with past/));
    });

    it('key/value shapes that disagree with config.json', async () => {
      await assert.rejects(importOnnxGraph(handBuiltDecoder(m), { ...config, kvHeads: 1, heads: 3 }), rejectsWith('CORRUPT_MODEL', /\[batch, 3, past, 8\].*1 key\/value heads/));
    });

    it('a com.microsoft.Attention form the recomputation does not reproduce (do_rotary=1), before any other complaint about the file', async () => {
      const legacy: onnx.IModelProto = {
        irVersion: 8,
        opsetImport: [{ domain: '', version: 14 }, { domain: 'com.microsoft', version: 1 }],
        graph: {
          name: 'optimized',
          node: [
            {
              name: 'Attention_0',
              opType: 'Attention',
              domain: 'com.microsoft',
              input: ['x', 'w', 'b', '', 'past_0'],
              output: ['y', 'present_0'],
              attribute: [
                { name: 'num_heads', type: onnx.AttributeProto.AttributeType.INT, i: 2 },
                { name: 'do_rotary', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
              ],
            },
          ],
          input: [{ name: 'input_ids' }, { name: 'past_0' }],
          output: [{ name: 'logits' }],
        },
      };
      await assert.rejects(
        importOnnxGraph(onnx.ModelProto.encode(legacy).finish(), config),
        rejectsWith('UNSUPPORTED', /com\.microsoft\.Attention node Attention_0 uses do_rotary=1.*unoptimized export or the safetensors/),
      );
    });

    it('a graph with no attention at all', async () => {
      const decoded = onnx.ModelProto.decode(handBuiltDecoder(m));
      for (const node of decoded.graph?.node ?? []) if (node.opType === 'Softmax') node.opType = 'Sigmoid';
      await assert.rejects(importOnnxGraph(onnx.ModelProto.encode(decoded).finish(), config), rejectsWith('UNSUPPORTED', /no attention found/));
    });

    it('bytes that are not ONNX', async () => {
      await assert.rejects(importOnnxGraph(Uint8Array.of(1, 2, 3, 4, 5), config), rejectsWith('CORRUPT_MODEL', /not a valid ONNX file|no graph/));
    });
  });

  describe('ONNX model folders', () => {
    it('loads model.onnx with config.json and tokenizer.json, and tells the format apart', async () => {
      const model = randomGpt2Model({ vocab: 270 }, 3);
      const dir = await writeHfFolder(model, { modelType: 'gpt2' });
      try {
        await mkdir(path.join(dir, 'onnx'));
        await writeFile(path.join(dir, 'onnx', 'model.onnx'), strippedEngineGraph(model));
        assert.equal(await detectModelFormat(dir), 'huggingface', 'safetensors win when both are there');
        await rm(path.join(dir, 'model.safetensors'));
        assert.equal(await detectModelFormat(dir), 'onnx');
        const imported = await loadOnnxModelFolder(dir);
        assert.equal(imported.config.layers, model.config.layers);
        const tokens = imported.tokenizer.encode('the hat sat');
        const ids = tokens.map((t) => t.id);
        const session = await ModelSession.create(imported.graph);
        try {
          const out = await session.run(engineFeeds(imported.config, ids, 0, null), [io.attention(1)]);
          const ref = referenceForward(model, ids);
          assert.ok(maxAbsDiff(out[io.attention(1)].data as Float32Array, ref.attention[1]) < 1e-5);
        } finally {
          await session.release();
        }
        // the whole path a person takes: the folder loads into an engine model and inspect reads its attention
        const engine = await loadModelFolder(dir);
        try {
          const result = await inspect(engine, { text: 'the hat sat' }, { layers: [1], topK: 3 });
          assert.deepEqual(result.tokens.map((t) => t.id), ids);
          assert.ok(maxAbsDiff(result.attention[0].data, referenceForward(model, ids).attention[1]) < 1e-5);
          assert.equal(result.next.length, ids.length);
        } finally {
          await engine.dispose();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('passes weights kept in an external data file through to onnxruntime, and refuses ones outside the folder', async () => {
      const model = randomLlamaModel({ vocab: 280 }, 21);
      const dir = await writeHfFolder(model, { modelType: 'llama' });
      try {
        await rm(path.join(dir, 'model.safetensors'));
        await mkdir(path.join(dir, 'onnx'));
        const decoded = onnx.ModelProto.decode(strippedEngineGraph(model));
        const moved = moveWeightsToExternalData(decoded, 'model.onnx_data');
        await writeFile(path.join(dir, 'onnx', 'model.onnx'), onnx.ModelProto.encode(decoded).finish());
        await writeFile(path.join(dir, 'onnx', 'model.onnx_data'), moved);
        const imported = await loadOnnxModelFolder(dir);
        assert.deepEqual(imported.graph.externalData.map((e) => [e.path, e.data.byteLength]), [['model.onnx_data', moved.byteLength]]);
        const engine = await loadModelFolder(dir);
        try {
          const result = await inspect(engine, { text: 'the hat sat on the cat' }, { layers: [0, 1], topK: 3 });
          const ref = referenceForward(model, result.tokens.map((t) => t.id));
          for (const layer of result.attention) assert.ok(maxAbsDiff(layer.data, ref.attention[layer.layer]) < 1e-5);
        } finally {
          await engine.dispose();
        }
        const escaping = onnx.ModelProto.decode(onnx.ModelProto.encode(decoded).finish());
        const first = escaping.graph?.initializer?.find((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
        assert.ok(first?.externalData);
        first.externalData[0].value = '../../secret.bin';
        await writeFile(path.join(dir, 'onnx', 'model.onnx'), onnx.ModelProto.encode(escaping).finish());
        await assert.rejects(loadOnnxModelFolder(dir), rejectsWith('CORRUPT_MODEL', /points at external data "\.\.\/\.\.\/secret\.bin" outside the model folder/));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

/** Moves every initializer over 1 KiB into one external data file, as onnx.save_model does; returns the file's bytes. */
function moveWeightsToExternalData(model: onnx.ModelProto, location: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const t of model.graph?.initializer ?? []) {
    const raw = t.rawData;
    if (!raw || raw.byteLength <= 1024) continue;
    parts.push(raw);
    t.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.byteLength) },
    ];
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.rawData = new Uint8Array(0);
    offset += raw.byteLength;
  }
  const out = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

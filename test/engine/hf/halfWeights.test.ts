/**
 * Large 16-bit checkpoints keep their matrices 16-bit in the graph, cast to float32 where used, and every
 * model's weights reach onnxruntime as external data (weightPrecision.ts). Neither may change a number:
 * tiny random models take those paths here and are checked against the reference pass.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { onnx } from 'onnx-proto';
import { EngineModel } from '../../../src/engine/engineModel';
import { HfCheckpoint } from '../../../src/engine/formats/hfCheckpoint';
import { loadHfFolder } from '../../../src/engine/formats/hfFolder';
import { buildOnnxGraph } from '../../../src/engine/graph';
import { inspect } from '../../../src/engine/inspect';
import { isHalf, type Model } from '../../../src/engine/model';
import { referenceForward } from '../../../src/engine/reference';
import { randomGpt2Model, randomLlamaModel } from '../../../src/engine/testing/randomModels';
import { estimateRequirement } from '../../../src/engine/hub/requirements';
import { planWeights, WASM_MEMORY_LIMIT_BYTES } from '../../../src/engine/weightPrecision';
import { maxAbsDiff } from '../../helpers/assertions';
import { assertMatchesReference, ATTENTION_TOLERANCE } from '../../helpers/referenceChecks';
import { roundedModel, writeHfFolder, type HfDtype, type HfModelType } from '../../helpers/hfWriter';

const TEXT = 'the cat sat in the hat. 今天 🙂 the end';

const FAMILIES: { modelType: HfModelType; make: () => Model }[] = [
  { modelType: 'gpt2', make: () => randomGpt2Model({ vocab: 270 }, 11) },
  { modelType: 'llama', make: () => randomLlamaModel({ vocab: 280, ropeStyle: 'half' }, 12, { tiedHead: false }) },
  { modelType: 'qwen2', make: () => randomLlamaModel({ vocab: 270, ropeStyle: 'half', ropeTheta: 1e6 }, 13, { qkvBias: true }) },
];

/** Every matrix of the model (the ones a loader may keep 16-bit). */
function matrices(model: Model): unknown[] {
  const w = model.weights;
  if (w.family === 'gpt2') return [w.wte, ...w.layers.flatMap((l) => [l.attn.w, l.proj.w, l.fc.w, l.fcProj.w])];
  return [w.tokenEmbedding, ...(w.lmHead ? [w.lmHead.w] : []), ...w.layers.flatMap((l) => [l.wq.w, l.wk.w, l.wv.w, l.wo.w, l.w1.w, l.w2.w, l.w3.w])];
}

describe('16-bit weights and external data', function () {
  const made: string[] = [];
  after(async () => {
    await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
  });

  for (const family of FAMILIES) {
    for (const dtype of ['F16', 'BF16'] as HfDtype[]) {
      it(`${family.modelType} kept in ${dtype}: the graph casts each matrix and matches the reference`, async () => {
        const model = family.make();
        const dir = await writeHfFolder(model, { modelType: family.modelType, dtype });
        made.push(dir);
        const { model: loaded, tokenizer } = await loadHfFolder(dir, { precision: 'stored16' });
        const kept = matrices(loaded);
        assert.ok(kept.every((m) => isHalf(m as never) && (m as { dtype: string }).dtype === (dtype === 'F16' ? 'float16' : 'bfloat16')));

        const graph = buildOnnxGraph(loaded, 0);
        assert.ok(graph.halfWeights);
        const proto = onnx.ModelProto.decode(graph.bytes);
        const half = dtype === 'F16' ? onnx.TensorProto.DataType.FLOAT16 : onnx.TensorProto.DataType.BFLOAT16;
        const halfInitializers = proto.graph?.initializer?.filter((t) => t.dataType === half) ?? [];
        assert.equal(halfInitializers.length, kept.length, 'one 16-bit initializer per matrix');
        assert.ok(halfInitializers.every((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL && (t.rawData?.length ?? 0) === 0));

        const engine = await EngineModel.create(loaded, tokenizer);
        assert.equal(engine.info.weights, dtype === 'F16' ? 'float16' : 'bfloat16', 'the model says how it holds its weights');
        await engine.dispose();
        const external = await EngineModel.fromGraph(graph, loaded.config, tokenizer);
        try {
          await assertMatchesReference(external, roundedModel(model, dtype), TEXT, `${family.modelType}/${dtype}`);
        } finally {
          await external.dispose();
        }
      });
    }
  }

  it('counts a checkpoint\'s parameters and stored width, as the planner needs them', async () => {
    const model = FAMILIES[1].make();
    for (const [dtype, width] of [['BF16', 2], ['F32', 4]] as const) {
      const dir = await writeHfFolder(model, { modelType: 'llama', dtype });
      made.push(dir);
      const checkpoint = await HfCheckpoint.open(dir);
      try {
        const { parameters, storedBytesPerWeight } = checkpoint.parameterCount();
        assert.equal(parameters, checkpoint.dataBytes / width);
        assert.equal(storedBytesPerWeight, width, dtype);
      } finally {
        await checkpoint.close();
      }
    }
  });

  it('float32 weights given as external data compute what the self-contained file computes', async () => {
    const model = FAMILIES[2].make();
    const created = await EngineModel.create(model, null);
    assert.equal(created.info.weights, 'float32');
    await created.dispose();
    const graph = buildOnnxGraph(model, 0);
    assert.ok(!graph.halfWeights);
    assert.ok(graph.externalData.length > 20, 'the matrices, norms and biases left the protobuf');
    const engine = await EngineModel.fromGraph(graph, model.config, null);
    try {
      const ids = [1, 5, 9, 200, 3, 77, 14];
      const result = await inspect(engine, { ids });
      const reference = referenceForward(model, ids);
      for (const layer of result.attention) {
        assert.ok(maxAbsDiff(layer.data, reference.attention[layer.layer]) <= ATTENTION_TOLERANCE);
      }
    } finally {
      await engine.dispose();
    }
  });

  describe('planWeights', () => {
    const GiB = 2 ** 30;
    it('keeps float32 for models whose float32 weights fit the budget, whatever the file stores', () => {
      assert.equal(planWeights(124_439_808, 4).precision, 'float32'); // GPT-2 small
      assert.equal(planWeights(134_515_008, 2).precision, 'float32'); // SmolLM2-135M in bf16
    });

    it('keeps 16-bit matrices for larger 16-bit checkpoints, so Qwen2.5-0.5B and TinyLlama fit', () => {
      for (const parameters of [494_032_768, 1_100_048_384]) {
        const plan = planWeights(parameters, 2);
        assert.equal(plan.precision, 'stored16');
        assert.equal(plan.graphBytes, parameters * 2);
        assert.ok(plan.memoryBytes < WASM_MEMORY_LIMIT_BYTES, `${parameters}: ${plan.memoryBytes / GiB} GiB`);
      }
    });

    it('counts an ONNX export\'s protobuf twice (bytes and parsed) and its external data once', () => {
      const MiB = 2 ** 20;
      const inline = estimateRequirement([{ path: 'onnx/model.onnx', size: 1000 * MiB }], 4);
      const external = estimateRequirement([{ path: 'onnx/model.onnx', size: 1 * MiB }, { path: 'onnx/model.onnx_data', size: 999 * MiB }], 4);
      assert.equal(inline.precision, 'onnx');
      assert.equal(inline.memoryBytes - external.memoryBytes, 999 * MiB);
    });

    it('finds no way to fit a 3B 16-bit model or a 1.1B float32 one', () => {
      assert.ok(planWeights(3_000_000_000, 2).memoryBytes > WASM_MEMORY_LIMIT_BYTES);
      assert.ok(planWeights(1_100_048_384, 4).memoryBytes > WASM_MEMORY_LIMIT_BYTES);
    });
  });
});

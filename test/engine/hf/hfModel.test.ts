import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EngineModel } from '../../../src/engine/engineModel';
import { inspect } from '../../../src/engine/inspect';
import { loadModelFolder } from '../../../src/engine/loadModel';
import type { Model } from '../../../src/engine/model';
import { randomGpt2Model, randomLlamaModel } from '../../../src/engine/testing/randomModels';
import { roundedModel, writeHfFolder, type HfDtype, type HfModelType, type HfWriteOptions } from '../../helpers/hfWriter';
import { rejectsWith } from '../../helpers/assertions';
import { assertMatchesReference } from '../../helpers/referenceChecks';

const TEXT = 'the cat sat in the hat.\n  A tea, then 今天 🙂 the end';

interface Family {
  modelType: HfModelType;
  make: () => Model;
}

const FAMILIES: Family[] = [
  { modelType: 'gpt2', make: () => randomGpt2Model({ vocab: 270 }, 3) },
  {
    modelType: 'llama',
    make: () => randomLlamaModel({ vocab: 280, ropeStyle: 'half', ropeTheta: 10000 }, 4, { tiedHead: false }),
  },
  {
    modelType: 'qwen2',
    make: () => randomLlamaModel({ vocab: 270, ropeStyle: 'half', ropeTheta: 1e6 }, 5, { qkvBias: true, tiedHead: true }),
  },
];

/** Loads the folder through the real loader and checks attention and logits against the reference pass. */
async function checkAgainstReference(dir: string, expected: Model, what: string): Promise<void> {
  const engine = await loadModelFolder(dir);
  try {
    for (const key of ['family', 'dim', 'hiddenDim', 'layers', 'heads', 'kvHeads', 'headDim', 'vocab', 'context', 'normEps'] as const) {
      assert.equal(engine.config[key], expected.config[key], `${what}: config ${key}`);
    }
    await assertMatchesReference(engine, expected, TEXT, what);
  } finally {
    await engine.dispose();
  }
}

describe('Hugging Face folders: tiny random models through the real loader', function () {
  const made: string[] = [];
  const write = async (model: Model, options: HfWriteOptions): Promise<string> => {
    const dir = await writeHfFolder(model, options);
    made.push(dir);
    return dir;
  };
  after(async () => {
    await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
  });

  for (const family of FAMILIES) {
    for (const dtype of ['F32', 'F16', 'BF16'] as HfDtype[]) {
      it(`${family.modelType} in ${dtype}: attention and logits equal the reference pass on the stored weights`, async () => {
        const model = family.make();
        const dir = await write(model, { modelType: family.modelType, dtype });
        await checkAgainstReference(dir, roundedModel(model, dtype), `${family.modelType}/${dtype}`);
      });
    }
  }

  it('reads sharded checkpoints through model.safetensors.index.json', async () => {
    const model = FAMILIES[1].make();
    const dir = await write(model, { modelType: 'llama', shards: 3 });
    await checkAgainstReference(dir, model, 'llama/3 shards');
  });

  it('accepts bare-model tensor names and an lm_head.weight stored for a tied classifier', async () => {
    const gpt2 = FAMILIES[0].make();
    await checkAgainstReference(await write(gpt2, { modelType: 'gpt2', bareNames: true, writeTiedHead: true }), gpt2, 'gpt2/bare');
    const qwen = FAMILIES[2].make();
    await checkAgainstReference(await write(qwen, { modelType: 'qwen2', bareNames: true, writeTiedHead: true }), qwen, 'qwen2/bare');
  });

  it('uses the tokenizer from tokenizer.json, with BOS as the model prepends it', async () => {
    const llama = await loadModelFolder(await write(FAMILIES[1].make(), { modelType: 'llama' }));
    const gpt2 = await loadModelFolder(await write(FAMILIES[0].make(), { modelType: 'gpt2' }));
    try {
      const llamaTokens = (await inspect(llama, { text: 'the hat' })).tokens;
      assert.deepEqual(llamaTokens[0], { id: 1, text: '<s>', start: 0, end: 0, special: true });
      assert.equal(llama.info.bosId, 1);
      assert.equal(llama.info.eosId, 2);
      const gpt2Tokens = (await inspect(gpt2, { text: 'the hat' })).tokens;
      assert.deepEqual(
        gpt2Tokens.map((t) => [t.text, t.start, t.end]),
        [
          ['t', 0, 1],
          ['he', 1, 3],
          [' ', 3, 4],
          ['h', 4, 5],
          ['a', 5, 6],
          ['t', 6, 7],
        ],
      );
      assert.equal(gpt2.info.eosId, 261);
    } finally {
      await llama.dispose();
      await gpt2.dispose();
    }
  });

  describe('clear errors', () => {
    it('names a missing tensor', async () => {
      const dir = await write(FAMILIES[1].make(), { modelType: 'llama', omit: ['model.layers.1.mlp.up_proj.weight'] });
      await assert.rejects(loadModelFolder(dir), rejectsWith('CORRUPT_MODEL', /model\.layers\.1\.mlp\.up_proj\.weight/));
    });

    it('names a tensor whose shape disagrees with config.json, with both shapes', async () => {
      const dir = await write(FAMILIES[0].make(), { modelType: 'gpt2', config: { n_inner: 64 } });
      await assert.rejects(
        loadModelFolder(dir),
        rejectsWith('CORRUPT_MODEL', /transformer\.h\.0\.mlp\.c_fc\.weight has shape \[32, 128\], expected \[32, 64\]/),
      );
    });

    it('refuses an unknown architecture, naming it and what is supported', async () => {
      const dir = await write(FAMILIES[0].make(), {
        modelType: 'gpt2',
        config: { model_type: 'mamba', architectures: ['MambaForCausalLM'] },
      });
      await assert.rejects(loadModelFolder(dir), rejectsWith('UNSUPPORTED', /"mamba".*MambaForCausalLM.*gpt2.*llama.*qwen2/));
    });

    it('refuses a missing lm_head.weight when the classifier is not tied', async () => {
      const dir = await write(FAMILIES[1].make(), { modelType: 'llama', omit: ['lm_head.weight'] });
      await assert.rejects(loadModelFolder(dir), rejectsWith('CORRUPT_MODEL', /lm_head\.weight.*tie_word_embeddings/));
    });

    it('refuses PyTorch pickles, saying why and what to use instead', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'ai-pickle-'));
      made.push(dir);
      await writeFile(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2' }));
      // A pickle's first bytes (protocol 2, then EMPTY_DICT); a zip-based torch.save file would start with PK.
      await writeFile(path.join(dir, 'pytorch_model.bin'), Uint8Array.of(0x80, 0x02, 0x7d, 0x71, 0x00));
      await assert.rejects(loadModelFolder(dir), rejectsWith('UNSUPPORTED', /pickle.*run.*code.*safetensors/s));
    });

    it('says what files were expected when the folder holds no model', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'ai-empty-'));
      made.push(dir);
      await writeFile(path.join(dir, 'notes.txt'), 'hello');
      await assert.rejects(loadModelFolder(dir), rejectsWith('MODEL_NOT_FOUND', /notes\.txt.*config\.json.*model\.safetensors.*tokenizer\.json/s));
    });

    it('reports a missing tokenizer.json before reading the weights', async () => {
      const dir = await write(FAMILIES[0].make(), { modelType: 'gpt2' });
      await rm(path.join(dir, 'tokenizer.json'));
      await assert.rejects(loadModelFolder(dir), rejectsWith('MODEL_NOT_FOUND', /tokenizer\.json/));
    });

    it('refuses a tokenizer with more tokens than the model has', async () => {
      const dir = await write(randomGpt2Model({ vocab: 200 }, 3), { modelType: 'gpt2' });
      await assert.rejects(loadModelFolder(dir), rejectsWith('TOKENIZER_MISMATCH', /262 tokens.*200/));
    });
  });
});

describe('EngineModel over a loaded Hugging Face model', () => {
  it('reports unused padded vocabulary ids with a readable label', async () => {
    const dir = await writeHfFolder(FAMILIES[0].make(), { modelType: 'gpt2' });
    const engine: EngineModel = await loadModelFolder(dir);
    try {
      assert.equal(engine.label(265), '<unused 265>');
      assert.equal(engine.label(261), '<|endoftext|>');
    } finally {
      await engine.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

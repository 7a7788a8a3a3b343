/** A Hugging Face model folder: config.json, safetensors weights and tokenizer.json, as Model + Tokenizer. */
import { HfTokenizer, loadHfTokenizer } from '../tokenizers/hf';
import type { Model } from '../model';
import { loadHfWeights, readHfSpec, type HfLoadOptions } from './hfModel';

export async function loadHfFolder(dir: string, options: HfLoadOptions = {}): Promise<{ model: Model; tokenizer: HfTokenizer }> {
  const spec = await readHfSpec(dir);
  // The tokenizer first: it is small, and a missing one should be reported before reading gigabytes.
  const tokenizer = await loadHfTokenizer(dir, {
    name: spec.config.name,
    modelVocab: spec.config.vocab,
    configBosId: spec.bosTokenId,
    configEosId: spec.eosTokenId,
  });
  const model = await loadHfWeights(dir, spec, options);
  return { model, tokenizer };
}

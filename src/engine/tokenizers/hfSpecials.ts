/**
 * Which control tokens a Hugging Face tokenizer puts around a text, and which ids are BOS and EOS.
 *
 * The tokens around a text come from tokenizer.json's post_processor (TemplateProcessing, or the
 * cls/sep of Roberta/Bert processing). tokenizer_config.json's add_bos_token / add_eos_token, when they are
 * booleans, win over it: transformers rebuilds the post-processor from them (LlamaTokenizerFast does).
 * BOS and EOS are tokenizer_config.json's bos_token / eos_token, else config.json's ids.
 */

type Json = Record<string, unknown>;

export interface SpecialTokens {
  /** Prepended to every encoded text (e.g. [<s>] for Llama; nothing for GPT-2). */
  prefix: number[];
  /** Appended to every encoded text (usually nothing). */
  suffix: number[];
  bosId: number | null;
  eosId: number | null;
}

export interface SpecialSources {
  tokenizerJson: Json;
  /** tokenizer_config.json, when the folder has one. */
  tokenizerConfig: Json | null;
  /** config.json's bos_token_id / eos_token_id. */
  configBosId: number | null;
  configEosId: number | null;
  tokenToId: (token: string) => number | undefined;
}

function asRecord(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

/** A token named in tokenizer_config.json: a string, or an AddedToken object with `content`. */
function tokenName(value: unknown): string | null {
  if (typeof value === 'string') return value;
  const record = asRecord(value);
  return record && typeof record.content === 'string' ? record.content : null;
}

export function resolveSpecialTokens(sources: SpecialSources): SpecialTokens {
  const { tokenizerConfig: config, tokenToId } = sources;
  const idOf = (value: unknown): number | null => {
    const name = tokenName(value);
    return name === null ? null : (tokenToId(name) ?? null);
  };
  const around = templateTokens(sources.tokenizerJson.post_processor, tokenToId);
  const bosId = idOf(config?.bos_token) ?? sources.configBosId ?? around.prefix[0] ?? null;
  const eosId = idOf(config?.eos_token) ?? sources.configEosId ?? null;
  const prefix = override(around.prefix, config?.add_bos_token, bosId, 'start');
  const suffix = override(around.suffix, config?.add_eos_token, eosId, 'end');
  return { prefix, suffix, bosId, eosId };
}

function override(ids: number[], flag: unknown, id: number | null, end: 'start' | 'end'): number[] {
  if (typeof flag !== 'boolean' || id === null) return ids;
  if (!flag) return ids.filter((x) => x !== id);
  if (ids.includes(id)) return ids;
  return end === 'start' ? [id, ...ids] : [...ids, id];
}

function templateTokens(processor: unknown, tokenToId: (t: string) => number | undefined): { prefix: number[]; suffix: number[] } {
  const none = { prefix: [], suffix: [] };
  const p = asRecord(processor);
  if (!p) return none;
  if (p.type === 'Sequence' && Array.isArray(p.processors)) {
    for (const inner of p.processors) {
      const found = templateTokens(inner, tokenToId);
      if (found.prefix.length > 0 || found.suffix.length > 0) return found;
    }
    return none;
  }
  if (p.type === 'RobertaProcessing' || p.type === 'BertProcessing') {
    const pairId = (v: unknown): number[] => (Array.isArray(v) && typeof v[1] === 'number' ? [v[1]] : []);
    return { prefix: pairId(p.cls), suffix: pairId(p.sep) };
  }
  if (p.type !== 'TemplateProcessing' || !Array.isArray(p.single)) return none;
  const specials = asRecord(p.special_tokens) ?? {};
  const idsOf = (name: string): number[] => {
    const entry = asRecord(specials[name]);
    if (entry && Array.isArray(entry.ids)) return entry.ids.filter((x): x is number => typeof x === 'number');
    const id = tokenToId(name);
    return id === undefined ? [] : [id];
  };
  const prefix: number[] = [];
  const suffix: number[] = [];
  let seenSequence = false;
  for (const item of p.single) {
    const record = asRecord(item);
    if (!record) continue;
    if ('Sequence' in record) {
      seenSequence = true;
      continue;
    }
    const special = asRecord(record.SpecialToken);
    if (special && typeof special.id === 'string') (seenSequence ? suffix : prefix).push(...idsOf(special.id));
  }
  return { prefix, suffix };
}

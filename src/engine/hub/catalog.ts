/**
 * Models offered for download by name. Sizes are the hub's file sizes at the time of writing, for showing
 * before anything is fetched; the downloader checks the live listing again (requirements.ts) before it
 * downloads, so a catalog figure that drifts cannot let an oversized model through.
 */
import type { ModelFormat } from '../loadModel';
import { estimateRequirement, requirementProblem, type Requirement } from './requirements';

export interface CatalogEntry {
  /** Short name shown in pickers. */
  key: string;
  label: string;
  /** Hub repository id. */
  id: string;
  revision: string;
  /** Folder inside the repository that holds the model (llama2.c checkpoints share one repository). */
  subfolder?: string;
  /** Exact files to fetch, relative to the repository; absent: what the format needs (download.ts). */
  files?: string[];
  format: ModelFormat;
  parameters: number;
  /** Bytes per stored weight in the repository's files. */
  storedBytesPerWeight: number;
  downloadBytes: number;
  requirement: Requirement;
  /** Why it cannot run here, or null. */
  problem: string | null;
}

type Seed = Omit<CatalogEntry, 'requirement' | 'problem'>;

const SEEDS: Seed[] = [
  {
    key: 'stories260K',
    label: 'stories260K (llama2.c, 260K parameters)',
    id: 'karpathy/tinyllamas',
    revision: 'main',
    subfolder: 'stories260K',
    files: ['stories260K/stories260K.bin', 'stories260K/tok512.bin'],
    format: 'llama2c',
    parameters: 260_000,
    storedBytesPerWeight: 4,
    downloadBytes: 1_056_540 + 6_227,
  },
  {
    key: 'gpt2',
    label: 'GPT-2 small (124M)',
    id: 'openai-community/gpt2',
    revision: 'main',
    format: 'huggingface',
    parameters: 124_439_808,
    storedBytesPerWeight: 4,
    downloadBytes: 548_105_171 + 3_500_000,
  },
  {
    key: 'distilgpt2',
    label: 'DistilGPT-2 (82M)',
    id: 'distilbert/distilgpt2',
    revision: 'main',
    format: 'huggingface',
    parameters: 81_912_576,
    storedBytesPerWeight: 4,
    downloadBytes: 352_824_413 + 3_500_000,
  },
  {
    key: 'SmolLM2-135M',
    label: 'SmolLM2 135M (Llama architecture)',
    id: 'HuggingFaceTB/SmolLM2-135M',
    revision: 'main',
    format: 'huggingface',
    parameters: 134_515_008,
    storedBytesPerWeight: 2,
    downloadBytes: 269_060_552 + 3_800_000,
  },
  {
    key: 'Qwen2.5-0.5B',
    label: 'Qwen2.5 0.5B',
    id: 'Qwen/Qwen2.5-0.5B',
    revision: 'main',
    format: 'huggingface',
    parameters: 494_032_768,
    storedBytesPerWeight: 2,
    downloadBytes: 988_097_824 + 7_000_000,
  },
  {
    key: 'TinyLlama-1.1B',
    label: 'TinyLlama 1.1B Chat',
    id: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
    revision: 'main',
    format: 'huggingface',
    parameters: 1_100_048_384,
    storedBytesPerWeight: 2,
    downloadBytes: 2_200_119_864 + 2_000_000,
  },
];

function complete(seed: Seed): CatalogEntry {
  const weights = seed.parameters * seed.storedBytesPerWeight;
  const requirement = {
    ...estimateRequirement([{ path: 'weights.safetensors', size: weights }], seed.storedBytesPerWeight),
    downloadBytes: seed.downloadBytes,
  };
  return { ...seed, requirement, problem: requirementProblem(seed.label, requirement) };
}

export const CATALOG: readonly CatalogEntry[] = SEEDS.map(complete);

export function catalogEntry(key: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.key === key || e.id === key);
}

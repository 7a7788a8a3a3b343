/**
 * The rows of the "Select Model…" picker, from the catalog, the cache and the model in use: each curated
 * model with its download size, memory need and whether it is downloaded (models too large for the engine
 * say why, and choosing one only repeats the reason), other downloaded models, then "Enter a model id…"
 * and "Choose a local folder…". Pure: the command turns rows into QuickPickItems.
 */
import type { CachedModel } from '../engine/hub/cache';
import type { CatalogEntry } from '../engine/hub/catalog';
import { formatBytes } from '../engine/hub/requirements';
import { asSentence } from './errorReport';
import { copyHolds, entryRefusal } from './modelDownloads';
import { choiceName, describeOrigin, type ModelChoice } from './modelResolver';
import { DEFAULT_REVISION, parseModelSpec, sameSpec, specFromCatalog, type HubModelSpec } from './modelSpec';

export type CachedCopy = Pick<CachedModel, 'id' | 'revision' | 'files' | 'bytes' | 'downloadedAt'>;

export interface ModelRow {
  kind: 'model';
  label: string;
  description: string;
  detail: string;
  spec: HubModelSpec;
  /** Why it cannot be used here (shown instead of downloading), or null. */
  refusal: string | null;
  cached: boolean;
  inUse: boolean;
}

export type PickRow =
  | { kind: 'separator'; label: string }
  | ModelRow
  | { kind: 'enter-id'; label: string; detail: string }
  | { kind: 'folder'; label: string; detail: string };

export interface PickState {
  catalog: readonly CatalogEntry[];
  cached: readonly CachedCopy[];
  current: ModelChoice;
}

function inUse(current: ModelChoice, spec: HubModelSpec): boolean {
  return current.kind === 'hub' && sameSpec(current.spec, spec);
}

function icon(row: Pick<ModelRow, 'refusal' | 'cached' | 'inUse'>): string {
  if (row.refusal) return '$(circle-slash)';
  if (row.inUse) return '$(check)';
  return row.cached ? '$(pass)' : '$(cloud-download)';
}

function catalogRow(entry: CatalogEntry, state: PickState): ModelRow {
  const spec = specFromCatalog(entry);
  const refusal = entryRefusal(entry, spec.name);
  const cached = state.cached.some((copy) => copyHolds(copy, spec));
  const used = inUse(state.current, spec);
  const sizes = `${formatBytes(entry.downloadBytes)} download, needs about ${formatBytes(entry.requirement.memoryBytes)} of memory`;
  const status = cached ? 'downloaded' : 'downloads when chosen';
  return {
    kind: 'model',
    label: `${icon({ refusal, cached, inUse: used })} ${entry.key}`,
    description: used ? `${entry.label}, in use` : entry.label,
    detail: refusal ? `${sizes}: too large for this engine. ${asSentence(entry.problem ?? refusal)}` : `${sizes}; ${status}`,
    spec,
    refusal,
    cached,
    inUse: used,
  };
}

function cachedRow(copy: CachedCopy, state: PickState): ModelRow | undefined {
  const parsed = parseModelSpec(copy.revision === DEFAULT_REVISION ? copy.id : `${copy.id}@${copy.revision}`, []);
  if (!parsed.ok) return undefined;
  const spec = parsed.value;
  const used = inUse(state.current, spec);
  return {
    kind: 'model',
    label: `${icon({ refusal: null, cached: true, inUse: used })} ${spec.name}`,
    description: used ? 'downloaded, in use' : 'downloaded',
    detail: `${formatBytes(copy.bytes)} on disk, downloaded ${copy.downloadedAt.slice(0, 10)}`,
    spec,
    refusal: null,
    cached: true,
    inUse: used,
  };
}

export function buildPickRows(state: PickState): PickRow[] {
  const rows: PickRow[] = [{ kind: 'separator', label: 'Curated models (Hugging Face hub)' }];
  rows.push(...state.catalog.map((entry) => catalogRow(entry, state)));
  const curated = state.catalog.map((entry) => specFromCatalog(entry));
  const others = state.cached
    .filter((copy) => !curated.some((spec) => copyHolds(copy, spec)))
    .map((copy) => cachedRow(copy, state))
    .filter((row): row is ModelRow => row !== undefined);
  if (others.length > 0) rows.push({ kind: 'separator', label: 'Other downloaded models' }, ...others);
  rows.push(
    { kind: 'separator', label: 'Elsewhere' },
    {
      kind: 'enter-id',
      label: '$(edit) Enter a model id…',
      detail: 'Any hub repository with safetensors (or ONNX) weights and tokenizer.json: owner/name, optionally @revision',
    },
    { kind: 'folder', label: '$(folder-opened) Choose a local folder…', detail: 'A Hugging Face, llama2.c or ONNX model already on this machine' },
  );
  return rows;
}

/** The picker's placeholder: what is in use now and where that comes from. */
export function pickerPlaceholder(current: ModelChoice): string {
  if (current.kind === 'invalid') return `The setting attentionInspector.model ("${current.value}") is not a model: choose one`;
  return `In use: ${choiceName(current)} (${describeOrigin(current.origin)}). Choose a model to download and use`;
}

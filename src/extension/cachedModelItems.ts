/**
 * The rows of "Manage Downloaded Models…" and the words of its confirmation: each cached copy with its
 * size, date and whether it is the model in use, and the total. Pure.
 */
import type { CachedModel } from '../engine/hub/cache';
import { CATALOG, type CatalogEntry } from '../engine/hub/catalog';
import { formatBytes } from '../engine/hub/requirements';
import { copyHolds } from './modelDownloads';
import type { ModelChoice } from './modelResolver';
import { DEFAULT_REVISION, specFromCatalog } from './modelSpec';

/** `subfolder` goes with the copy to its removal: deleting one model must keep the others in its revision folder. */
export type CachedEntry = Pick<CachedModel, 'id' | 'revision' | 'subfolder' | 'files' | 'bytes' | 'downloadedAt' | 'dir'>;

export interface CachedRow {
  label: string;
  description: string;
  detail: string;
  copy: CachedEntry;
  inUse: boolean;
}

/** The curated name of a cached copy (stories260K for karpathy/tinyllamas), else its id; "@revision" unless usual. */
export function cachedName(copy: Pick<CachedModel, 'id' | 'revision' | 'files'>, catalog: readonly CatalogEntry[] = CATALOG): string {
  const entry = catalog.find((e) => copyHolds(copy, specFromCatalog(e, copy.revision)));
  const usual = entry?.revision ?? DEFAULT_REVISION;
  const name = entry?.key ?? copy.id;
  return copy.revision === usual ? name : `${name}@${copy.revision}`;
}

export function cachedRows(cached: readonly CachedEntry[], current: ModelChoice): CachedRow[] {
  return cached.map((copy) => {
    const inUse = current.kind === 'hub' && copyHolds(copy, current.spec);
    return {
      label: cachedName(copy),
      description: inUse ? `${formatBytes(copy.bytes)}, in use` : formatBytes(copy.bytes),
      detail: `${copy.id} (${copy.revision}), downloaded ${copy.downloadedAt.slice(0, 10)}`,
      copy,
      inUse,
    };
  });
}

export function totalBytes(copies: readonly Pick<CachedModel, 'bytes'>[]): number {
  return copies.reduce((n, c) => n + c.bytes, 0);
}

/** "Delete gpt2 (523.3 MiB) from the download cache?" and what happens to the model in use. */
export function removalQuestion(rows: readonly CachedRow[]): string {
  const names = rows.map((r) => r.label);
  const what = rows.length === 1 ? names[0] : `${rows.length} models (${names.join(', ')})`;
  const question = `Delete ${what}, ${formatBytes(totalBytes(rows.map((r) => r.copy)))}, from the download cache?`;
  const used = rows.find((r) => r.inUse);
  return used ? `${question} ${used.label} is the model in use: it will be downloaded again the next time you inspect text.` : question;
}

export function cacheSummary(copies: readonly Pick<CachedModel, 'bytes'>[]): string {
  const count = copies.length === 1 ? '1 downloaded model' : `${copies.length} downloaded models`;
  return `${count}, ${formatBytes(totalBytes(copies))} in all`;
}

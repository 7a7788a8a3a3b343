/**
 * Hub models in the extension's cache, without the `vscode` API so it is tested against a local stand-in
 * for the hub: whether a model is already there (no network), fetching it (refused up front when the
 * catalog knows it is too large; one download per model at a time, shared by every caller), what a
 * cancelled download leaves (nothing), and removing copies. The hub client (src/engine/hub) does the
 * transfer itself: resume, hashes, the offline fallback and the size check against the live listing.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { listCachedModels, readManifest, removeCachedModel, revisionDir, type CachedModel } from '../engine/hub/cache';
import { downloadModel, type DownloadProgress } from '../engine/hub/download';
import { formatBytes } from '../engine/hub/requirements';
import type { CatalogEntry } from '../engine/hub/catalog';
import { EngineError, isCancelled } from '../shared/errors';
import type { HubAccess } from './hubConnection';
import { findCatalogEntry, specKey, type HubModelSpec } from './modelSpec';

export interface FetchRequest {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface ModelCopy {
  spec: HubModelSpec;
  /** The folder the engine loads. */
  modelDir: string;
  /** Nothing was downloaded. */
  fromCache: boolean;
  /** The hub could not be reached and an earlier copy is used. */
  offline: boolean;
  /** The hub client's sentence about an offline or reused copy, or null. */
  notice: string | null;
  downloadedBytes: number;
}

/**
 * Why a curated model cannot run here, with its download size and the limit, or null. Decided from the
 * catalog alone, so nothing is fetched for a model that would fail to load.
 */
export function catalogRefusal(spec: HubModelSpec): string | null {
  const entry = spec.catalogKey ? findCatalogEntry(spec.catalogKey) : undefined;
  return entry ? entryRefusal(entry, spec.name) : null;
}

/** catalogRefusal for an entry in hand, under the name the person sees. */
export function entryRefusal(entry: Pick<CatalogEntry, 'problem' | 'downloadBytes'>, name: string): string | null {
  if (!entry.problem) return null;
  return `${name} cannot run here: ${entry.problem}. It is a ${formatBytes(entry.downloadBytes)} download; nothing was downloaded. Pick a smaller model`;
}

/** Whether a cached copy holds what the spec asks for (two models in one repository share a revision folder). */
export function copyHolds(copy: Pick<CachedModel, 'id' | 'revision' | 'files'>, spec: HubModelSpec): boolean {
  if (copy.id !== spec.id || copy.revision !== spec.revision) return false;
  const have = new Set(copy.files.map((f) => f.path));
  if (spec.files) return spec.files.every((f) => have.has(f));
  const prefix = spec.subfolder ? `${spec.subfolder}/` : '';
  return copy.files.some((f) => f.path.startsWith(prefix));
}

export class ModelDownloads {
  private readonly inFlight = new Map<string, Promise<ModelCopy>>();

  /**
   * @param cacheDir the cache root (the extension passes a folder in its global storage)
   * @param access read at each download, so changed proxy settings apply to the next one
   * @param log where each download says where it goes (hub, proxy), for the output channel
   */
  constructor(
    readonly cacheDir: string,
    private readonly access: () => HubAccess,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Complete cached copies, newest first. */
  list(): Promise<CachedModel[]> {
    return listCachedModels(this.cacheDir);
  }

  /** The folder to load when a complete copy is cached; never touches the network. */
  async cachedDir(spec: HubModelSpec): Promise<string | undefined> {
    const copy = (await this.list()).find((c) => copyHolds(c, spec));
    return copy ? this.modelDirIn(copy.dir, spec) : undefined;
  }

  isFetching(spec: HubModelSpec): boolean {
    return this.inFlight.has(specKey(spec));
  }

  /** The cached copy when there is one (no network), else a download. */
  async ensure(spec: HubModelSpec, request: FetchRequest = {}): Promise<ModelCopy> {
    const dir = await this.cachedDir(spec);
    if (dir) return { spec, modelDir: dir, fromCache: true, offline: false, notice: null, downloadedBytes: 0 };
    return this.fetch(spec, request);
  }

  /**
   * Asks the hub for the model's files and fetches what the cache lacks (an up-to-date copy costs one
   * listing); offline, a cached copy is used. A second call while one runs gets the first call's result.
   */
  fetch(spec: HubModelSpec, request: FetchRequest = {}): Promise<ModelCopy> {
    const key = specKey(spec);
    const running = this.inFlight.get(key);
    if (running) return running;
    const started = this.download(spec, request).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  /**
   * Removes one cached model: its revision folder, or only its subfolder's model when it has one (models in
   * subfolders share the revision folder), and the model's folder once nothing is left in it.
   */
  async remove(copy: Pick<CachedModel, 'id' | 'revision' | 'subfolder'>): Promise<boolean> {
    const removed = await removeCachedModel(this.cacheDir, copy.id, copy.revision, copy.subfolder);
    const parent = path.dirname(revisionDir(this.cacheDir, copy.id, copy.revision));
    const left = await readdir(parent).catch(() => null);
    if (left !== null && left.length === 0) await rm(parent, { recursive: true, force: true });
    return removed;
  }

  private async download(spec: HubModelSpec, request: FetchRequest): Promise<ModelCopy> {
    const refusal = catalogRefusal(spec);
    if (refusal) throw new EngineError('UNSUPPORTED', refusal);
    const access = this.access();
    this.log(`fetching ${spec.name} (${spec.id}, ${spec.revision}) from ${access.hubUrl}`);
    for (const note of access.notes) this.log(note);
    try {
      const result = await downloadModel({
        ...access.http,
        signal: request.signal,
        cacheDir: this.cacheDir,
        hubUrl: access.hubUrl,
        id: spec.id,
        revision: spec.revision,
        files: spec.files,
        subfolder: spec.subfolder,
        onProgress: request.onProgress,
      });
      return { spec, modelDir: result.modelDir, fromCache: result.fromCache, offline: result.offline, notice: result.notice, downloadedBytes: result.downloadedBytes };
    } catch (err) {
      if (isCancelled(err)) await this.discardIncomplete(spec);
      throw err;
    }
  }

  /**
   * A cancelled download is unwanted: the hub client already deleted the file it was writing; the files
   * finished before it go too, unless they belong to a complete copy. (An interrupted download keeps
   * them, so the next attempt resumes.) Only this model's manifest says whether its copy is complete, and
   * only its own files go: another model in the same revision folder stays.
   */
  private async discardIncomplete(spec: HubModelSpec): Promise<void> {
    const dir = revisionDir(this.cacheDir, spec.id, spec.revision);
    if (await readManifest(dir, spec.subfolder)) return;
    await this.remove(spec);
  }

  private modelDirIn(dir: string, spec: HubModelSpec): string {
    return spec.subfolder ? path.join(dir, ...spec.subfolder.split('/')) : dir;
  }
}

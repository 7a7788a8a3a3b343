/**
 * downloadModel(): a model repository from the Hugging Face hub (or any server speaking its API) into the
 * cache, ready for loadModelFolder. It lists the revision's files, picks what the engine needs, checks the
 * model fits (requirements.ts) before fetching any weights, downloads each file with resume and hash checks
 * (fileDownload.ts) and marks the copy complete. Offline, a complete cached copy is used, and the result
 * says so.
 */
import { rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import { isPickleFileName, pickleRefusal } from '../../shared/pickle';
import {
  localPath,
  manifestName,
  normalizeSubfolder,
  readManifest,
  retireRootManifest,
  revisionDir,
  writeManifest,
  type CacheManifest,
} from './cache';
import { checkFetched, downloadFile, hashMatches, saveFetched } from './fileDownload';
import { cancelled, get, isUnreachable, readBytes, type HttpOptions } from './http';
import { fileUrl, listFiles, type HubFile } from './listing';
import { bytesPerWeight, checkRequirement, estimateRequirement, type Requirement } from './requirements';

export const DEFAULT_HUB_URL = 'https://huggingface.co';
const PROGRESS_INTERVAL_MS = 100;

export interface DownloadProgress {
  /** The file being fetched, relative to the repository. */
  file: string;
  fileBytes: number;
  fileSize: number;
  /** All files so far (resumed bytes included) and in all. */
  bytes: number;
  totalBytes: number;
  percent: number;
  /** Over this run's transferred bytes. */
  bytesPerSecond: number;
}

export interface DownloadOptions extends HttpOptions {
  /** Root of the cache (the extension passes its global storage). */
  cacheDir: string;
  /** Repository id, e.g. openai-community/gpt2. */
  id: string;
  /** Branch, tag or commit; default main. */
  revision?: string;
  /** Default https://huggingface.co. */
  hubUrl?: string;
  /** Exact repository files to fetch; default: what the engine needs for the repository's format. */
  files?: string[];
  /** The folder inside the repository that holds the model (modelDir points there). */
  subfolder?: string;
  /** Extra attempts per file after a dropped connection, each resuming (default 2). */
  retries?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadResult {
  id: string;
  revision: string;
  /** The cached revision folder. */
  dir: string;
  /** The folder to load (dir, or its subfolder). */
  modelDir: string;
  /** Nothing was downloaded: the cache already held this revision's files. */
  fromCache: boolean;
  /** The hub could not be reached; the cached copy was used. */
  offline: boolean;
  /** A sentence for the person, when something is worth saying (offline, reused cache). */
  notice: string | null;
  downloadedBytes: number;
  requirement: Requirement | null;
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];
const HF_SMALL_FILES = ['config.json', 'generation_config.json', ...TOKENIZER_FILES];

export async function downloadModel(options: DownloadOptions): Promise<DownloadResult> {
  const revision = options.revision ?? 'main';
  const hub = options.hubUrl ?? DEFAULT_HUB_URL;
  const dir = revisionDir(options.cacheDir, options.id, revision);
  const subfolder = normalizeSubfolder(options.subfolder);
  const modelDir = subfolder ? localPath(dir, subfolder) : dir;
  const base = { id: options.id, revision, dir, modelDir };

  let listing: HubFile[];
  try {
    listing = await listFiles(hub, options.id, revision, options);
  } catch (err) {
    if (!isUnreachable(err)) throw err;
    return useCacheOffline(base, subfolder, err.message);
  }
  const files = selectFiles(listing, options);
  const { requirement, fetched } = await checkFits(hub, options, revision, files);

  const manifest = await readManifest(dir, subfolder);
  if (manifest && (await sameFiles(dir, manifest, files))) {
    return { ...base, fromCache: true, offline: false, notice: 'already downloaded: using the cached copy', downloadedBytes: 0, requirement };
  }
  await rm(path.join(dir, manifestName(subfolder)), { force: true });
  const downloadedBytes = await fetchAll(hub, options, revision, dir, files, fetched);
  const done: CacheManifest = { id: options.id, revision, ...(subfolder ? { subfolder } : {}), files, downloadedAt: new Date().toISOString() };
  await writeManifest(dir, done);
  if (subfolder) await retireRootManifest(dir, subfolder);
  return { ...base, fromCache: false, offline: false, notice: null, downloadedBytes, requirement };
}

async function useCacheOffline(
  base: Pick<DownloadResult, 'id' | 'revision' | 'dir' | 'modelDir'>,
  subfolder: string | undefined,
  reason: string,
): Promise<DownloadResult> {
  const manifest = await readManifest(base.dir, subfolder);
  if (!manifest) {
    throw new EngineError(
      'MODEL_NOT_FOUND',
      `${reason}, and ${base.id} (${base.revision}) has not been downloaded before: connect to the internet ` +
        '(or set http.proxy) to download it once',
    );
  }
  const when = manifest.downloadedAt.slice(0, 10);
  return {
    ...base,
    fromCache: true,
    offline: true,
    notice: `offline (${reason}): using the copy of ${base.id} downloaded on ${when}`,
    downloadedBytes: 0,
    requirement: null,
  };
}

/** The files the engine needs, chosen from the listing; refuses pickles and weight-less repositories up front. */
export function selectFiles(listing: HubFile[], options: Pick<DownloadOptions, 'files' | 'subfolder' | 'id'>): HubFile[] {
  const byPath = new Map(listing.map((f) => [f.path, f]));
  if (options.files) {
    return options.files.map((p) => {
      const file = byPath.get(p);
      if (!file) throw new EngineError('MODEL_NOT_FOUND', `${options.id} has no file ${p}`);
      return file;
    });
  }
  const folder = normalizeSubfolder(options.subfolder);
  const prefix = folder ? `${folder}/` : '';
  const here = listing.filter((f) => f.path.startsWith(prefix) && !f.path.slice(prefix.length).includes('/'));
  const name = (f: HubFile): string => f.path.slice(prefix.length);
  const small = here.filter((f) => HF_SMALL_FILES.includes(name(f)));
  const safetensors = here.filter((f) => name(f).endsWith('.safetensors') || name(f) === 'model.safetensors.index.json');
  if (safetensors.length > 0) {
    requireFile(small, name, 'tokenizer.json', options.id);
    requireFile(small, name, 'config.json', options.id);
    return [...small, ...safetensors];
  }
  const pickle = here.find((f) => isPickleFileName(name(f)));
  if (pickle) throw pickleRefusal(options.id, pickle.path);
  const onnx = listing.filter((f) => f.path === `${prefix}onnx/model.onnx` || f.path === `${prefix}onnx/model.onnx_data`);
  if (onnx.some((f) => f.path.endsWith('.onnx'))) {
    requireFile(small, name, 'tokenizer.json', options.id);
    requireFile(small, name, 'config.json', options.id);
    return [...small, ...onnx];
  }
  throw new EngineError(
    'MODEL_NOT_FOUND',
    `${options.id} has no model.safetensors (nor onnx/model.onnx) the engine can load` + (prefix ? ` in ${prefix}` : ''),
  );
}

function requireFile(files: HubFile[], name: (f: HubFile) => string, wanted: string, id: string): void {
  if (!files.some((f) => name(f) === wanted)) throw new EngineError('MODEL_NOT_FOUND', `${id} has no ${wanted}; the engine needs it`);
}

interface FitCheck {
  requirement: Requirement;
  /** Files read whole for the check, by repository path: written into the download rather than fetched twice. */
  fetched: Map<string, Uint8Array>;
}

/** Reads config.json's torch_dtype (a few KB, into memory) and refuses models too large, before any download. */
async function checkFits(hub: string, options: DownloadOptions, revision: string, files: HubFile[]): Promise<FitCheck> {
  const config = files.find((f) => path.posix.basename(f.path) === 'config.json');
  const fetched = new Map<string, Uint8Array>();
  let storedBytes = 4;
  if (config) {
    const response = await get(fileUrl(hub, options.id, revision, config.path), options);
    const bytes = await readBytes(response, 16 * 1024 * 1024);
    checkFetched(config, bytes);
    fetched.set(config.path, bytes);
    try {
      storedBytes = bytesPerWeight((JSON.parse(bytes.toString('utf8')) as Record<string, unknown>).torch_dtype);
    } catch {
      throw new EngineError('CORRUPT_MODEL', `${options.id}: config.json on the hub is not valid JSON`);
    }
  }
  const requirement = estimateRequirement(files, storedBytes);
  checkRequirement(options.id, requirement);
  return { requirement, fetched };
}

/** Whether the cached copy already holds exactly these files. */
async function sameFiles(dir: string, manifest: CacheManifest, files: HubFile[]): Promise<boolean> {
  const known = new Map(manifest.files.map((f) => [f.path, f]));
  for (const f of files) {
    const cached = known.get(f.path);
    if (!cached || cached.size !== f.size || cached.sha256 !== f.sha256 || cached.gitSha1 !== f.gitSha1) return false;
    const info = await stat(localPath(dir, f.path)).catch(() => null);
    if (!info || info.size !== f.size) return false;
  }
  return true;
}

async function fetchAll(
  hub: string,
  options: DownloadOptions,
  revision: string,
  dir: string,
  files: HubFile[],
  fetched: ReadonlyMap<string, Uint8Array>,
): Promise<number> {
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const started = performance.now();
  let finished = 0;
  let transferred = 0;
  let lastReport = 0;
  const reusable = await reusableFiles(dir, files);
  for (const file of files) {
    if (options.signal?.aborted) throw cancelled();
    if (reusable.has(file.path)) {
      finished += file.size;
      continue;
    }
    const report = (position: number, force: boolean): void => {
      const now = performance.now();
      if (!options.onProgress || (!force && now - lastReport < PROGRESS_INTERVAL_MS)) return;
      lastReport = now;
      const seconds = (now - started) / 1000;
      const bytes = finished + position;
      options.onProgress({
        file: file.path,
        fileBytes: position,
        fileSize: file.size,
        bytes,
        totalBytes,
        percent: totalBytes > 0 ? (100 * bytes) / totalBytes : 100,
        bytesPerSecond: seconds > 0 ? transferred / seconds : 0,
      });
    };
    const inMemory = fetched.get(file.path);
    if (inMemory) {
      await saveFetched(localPath(dir, file.path), inMemory);
      transferred += inMemory.length;
    } else {
      await downloadFile({
        url: fileUrl(hub, options.id, revision, file.path),
        target: localPath(dir, file.path),
        file,
        http: options,
        retries: options.retries ?? 2,
        onProgress: (position, delta) => {
          transferred += delta;
          report(position, false);
        },
      });
    }
    report(file.size, true);
    finished += file.size;
  }
  return transferred;
}

/**
 * Files already in place with the listed size and hash (from an earlier copy, or an attempt that failed on
 * a later file): an update or a retry fetches only what is missing or changed.
 */
async function reusableFiles(dir: string, files: HubFile[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const f of files) {
    const target = localPath(dir, f.path);
    const info = await stat(target).catch(() => null);
    if (info?.size === f.size && (await hashMatches(target, f))) out.add(f.path);
  }
  return out;
}

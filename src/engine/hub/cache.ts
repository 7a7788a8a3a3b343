/**
 * The download cache: one folder per model and revision under the cache root (the extension passes its
 * global storage), `models/{owner}--{name}/{revision}/`, holding the repository's files at their paths.
 * A manifest, written only after every file was verified, marks a usable copy: a folder without one is an
 * interrupted download, resumed or replaced by the next attempt. Each model has its own (`.complete.json`
 * for the repository root, `.complete.{subfolder}.json` for a subfolder), because models in different
 * subfolders of one repository (llama2.c checkpoints) share the revision folder.
 */
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import { checkModelId, type HubFile } from './listing';

const MANIFEST_FILE = '.complete.json';
const MANIFEST_NAME = /^\.complete(?:\..+)?\.json$/;
const MODELS_DIR = 'models';

export interface CacheManifest {
  id: string;
  revision: string;
  /** The folder inside the repository that holds the model; absent for the repository root. */
  subfolder?: string;
  files: HubFile[];
  /** ISO time the last file was verified. */
  downloadedAt: string;
}

export interface CachedModel extends CacheManifest {
  /** The revision's folder. */
  dir: string;
  /** The folder to load (dir, or its subfolder). */
  modelDir: string;
  bytes: number;
}

/** "a/b/" and "/a/b" name the same subfolder as "a/b"; "" and "/" name none. */
export function normalizeSubfolder(subfolder: string | undefined): string | undefined {
  const trimmed = subfolder?.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? undefined : trimmed;
}

/** The manifest's file name, in the revision folder, for the model in `subfolder` (none: the root). */
export function manifestName(subfolder?: string): string {
  const folder = normalizeSubfolder(subfolder);
  return folder === undefined ? MANIFEST_FILE : `.complete.${encodeURIComponent(folder)}.json`;
}

function revisionFolder(revision: string): string {
  if (!/^[\w./-]+$/.test(revision) || revision.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new EngineError('BAD_INPUT', `"${revision}" is not a revision (a branch, tag or commit)`);
  }
  return revision.replace(/\//g, '--');
}

export function modelFolder(cacheDir: string, id: string): string {
  checkModelId(id);
  return path.join(cacheDir, MODELS_DIR, id.replace('/', '--'));
}

export function revisionDir(cacheDir: string, id: string, revision: string): string {
  return path.join(modelFolder(cacheDir, id), revisionFolder(revision));
}

/** The path of a repository file inside the revision folder; refuses paths that would leave it. */
export function localPath(dir: string, file: string): string {
  const target = path.resolve(dir, file);
  if (!target.startsWith(path.resolve(dir) + path.sep)) {
    throw new EngineError('CORRUPT_MODEL', `the hub listed a file outside the model folder: ${JSON.stringify(file)}`);
  }
  return target;
}

export function readManifest(dir: string, subfolder?: string): Promise<CacheManifest | null> {
  return readManifestFile(path.join(dir, manifestName(subfolder)));
}

async function readManifestFile(file: string): Promise<CacheManifest | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as CacheManifest;
    return typeof parsed.id === 'string' && Array.isArray(parsed.files) ? parsed : null;
  } catch {
    return null;
  }
}

/** Every complete model in a revision folder. */
async function manifestsIn(dir: string): Promise<CacheManifest[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const manifests = await Promise.all(names.filter((n) => MANIFEST_NAME.test(n)).map((n) => readManifestFile(path.join(dir, n))));
  return manifests.filter((m): m is CacheManifest => m !== null);
}

/** Written to a temp name and renamed, so a crash never leaves a manifest for files that are not all there. */
export async function writeManifest(dir: string, manifest: CacheManifest): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, manifestName(manifest.subfolder));
  await writeFile(`${file}.tmp`, JSON.stringify(manifest, null, 2));
  await rename(`${file}.tmp`, file);
}

/**
 * Drops a root manifest that lists only files of `subfolder`: written for this model before each subfolder
 * had its own manifest, it would list the model twice.
 */
export async function retireRootManifest(dir: string, subfolder: string): Promise<void> {
  const root = await readManifest(dir);
  if (root && root.subfolder === undefined && root.files.every((f) => f.path.startsWith(`${subfolder}/`))) {
    await rm(path.join(dir, MANIFEST_FILE), { force: true });
  }
}

/** Every complete cached model, newest download first. */
export async function listCachedModels(cacheDir: string): Promise<CachedModel[]> {
  const root = path.join(cacheDir, MODELS_DIR);
  const models = await readdir(root).catch(() => [] as string[]);
  const found: CachedModel[] = [];
  for (const model of models) {
    const revisions = await readdir(path.join(root, model)).catch(() => [] as string[]);
    for (const revision of revisions) {
      const dir = path.join(root, model, revision);
      for (const manifest of await manifestsIn(dir)) {
        const modelDir = manifest.subfolder ? path.join(dir, ...manifest.subfolder.split('/')) : dir;
        found.push({ ...manifest, dir, modelDir, bytes: manifest.files.reduce((n, f) => n + f.size, 0) });
      }
    }
  }
  return found.sort((a, b) => b.downloadedAt.localeCompare(a.downloadedAt));
}

/**
 * Removes a model's cached copies: every revision, one revision (with every model in it), or, given a
 * subfolder, only the model there, keeping the others in the revision. Returns whether anything was there.
 */
export async function removeCachedModel(cacheDir: string, id: string, revision?: string, subfolder?: string): Promise<boolean> {
  const folder = normalizeSubfolder(subfolder);
  if (revision !== undefined && folder !== undefined) return removeSubfolderModel(revisionDir(cacheDir, id, revision), folder);
  const dir = revision === undefined ? modelFolder(cacheDir, id) : revisionDir(cacheDir, id, revision);
  const existed = await exists(dir);
  await rm(dir, { recursive: true, force: true });
  return existed;
}

async function exists(dir: string): Promise<boolean> {
  return readdir(dir).then(
    () => true,
    () => false,
  );
}

/** The subfolder's manifest and files go; a file another complete model lists stays, as does the revision folder while anything is left in it. */
async function removeSubfolderModel(dir: string, subfolder: string): Promise<boolean> {
  const own = await readManifest(dir, subfolder);
  const folder = localPath(dir, subfolder);
  const existed = own !== null || (await exists(folder));
  await rm(path.join(dir, manifestName(subfolder)), { force: true });
  const kept = new Set((await manifestsIn(dir)).flatMap((m) => m.files.map((f) => f.path)));
  if ([...kept].some((p) => p.startsWith(`${subfolder}/`))) {
    await Promise.all((own?.files ?? []).filter((f) => !kept.has(f.path)).map((f) => rm(localPath(dir, f.path), { force: true })));
  } else {
    await rm(folder, { recursive: true, force: true });
  }
  await rmdir(dir).catch(() => undefined);
  return existed;
}

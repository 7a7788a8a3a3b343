/**
 * The download cache: one folder per model and revision under the cache root (the extension passes its
 * global storage), `models/{owner}--{name}/{revision}/`, holding the repository's files at their paths.
 * A `.complete.json` manifest, written only after every file was verified, marks a usable copy: a folder
 * without one is an interrupted download, resumed or replaced by the next attempt.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import { checkModelId, type HubFile } from './listing';

export const MANIFEST_FILE = '.complete.json';
const MODELS_DIR = 'models';

export interface CacheManifest {
  id: string;
  revision: string;
  files: HubFile[];
  /** ISO time the last file was verified. */
  downloadedAt: string;
}

export interface CachedModel extends CacheManifest {
  /** The revision's folder. */
  dir: string;
  bytes: number;
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

export async function readManifest(dir: string): Promise<CacheManifest | null> {
  const text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as CacheManifest;
    return typeof parsed.id === 'string' && Array.isArray(parsed.files) ? parsed : null;
  } catch {
    return null;
  }
}

/** Written to a temp name and renamed, so a crash never leaves a manifest for files that are not all there. */
export async function writeManifest(dir: string, manifest: CacheManifest): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `${MANIFEST_FILE}.tmp`);
  await writeFile(temp, JSON.stringify(manifest, null, 2));
  await rename(temp, path.join(dir, MANIFEST_FILE));
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
      const manifest = await readManifest(dir);
      if (!manifest) continue;
      found.push({ ...manifest, dir, bytes: manifest.files.reduce((n, f) => n + f.size, 0) });
    }
  }
  return found.sort((a, b) => b.downloadedAt.localeCompare(a.downloadedAt));
}

/** Removes a model's cached revision, or all its revisions; returns whether anything was there. */
export async function removeCachedModel(cacheDir: string, id: string, revision?: string): Promise<boolean> {
  const dir = revision === undefined ? modelFolder(cacheDir, id) : revisionDir(cacheDir, id, revision);
  const existed = await readdir(dir).then(
    () => true,
    () => false,
  );
  await rm(dir, { recursive: true, force: true });
  return existed;
}

/**
 * One file from the hub into the cache: written to `<file>.part`, resumed with an HTTP Range request when a
 * partial copy is there (after a dropped connection, here or in an earlier run), hashed while it streams,
 * and renamed to its real name only when its size and hash match the hub's listing. A cancelled download
 * deletes its partial file; an interrupted one keeps it for the next attempt.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError } from '../../shared/errors';
import { cancelled, get, type HttpOptions } from './http';
import type { HubFile } from './listing';

export const PART_SUFFIX = '.part';

export interface FileDownload {
  url: string;
  /** Final path in the cache. */
  target: string;
  file: HubFile;
  http: HttpOptions;
  /** Extra attempts, each resuming where the last stopped, after a dropped connection. */
  retries: number;
  /** After each chunk: how much of the file is on disk, and how many bytes this chunk brought over the network. */
  onProgress: (position: number, transferred: number) => void;
}

/** Downloads and verifies the file; resolves with the bytes actually transferred. */
export async function downloadFile(job: FileDownload): Promise<number> {
  const part = job.target + PART_SUFFIX;
  await mkdir(path.dirname(job.target), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const { received, hash } = await attemptDownload(job, part);
      await verify(job, part, hash);
      await rename(part, job.target);
      return received;
    } catch (err) {
      if (err instanceof EngineError && err.code === 'CANCELLED') {
        await rm(part, { force: true });
        throw err;
      }
      if (err instanceof EngineError) throw err;
      if (attempt >= job.retries) throw interrupted(job, err);
    }
  }
}

function interrupted(job: FileDownload, err: unknown): EngineError {
  const reason = err instanceof Error ? err.message : String(err);
  return new EngineError(
    'RUNTIME',
    `the download of ${job.file.path} was interrupted (${reason}); download again to resume where it stopped`,
  );
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => null))?.size ?? 0;
}

function feed(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done();
    },
  });
}

/**
 * One request, resuming from the part file's size when it has one. Resolves with the bytes received and
 * the hash of the whole part file (null when the part was already complete and is hashed by verify).
 */
async function attemptDownload(job: FileDownload, part: string): Promise<{ received: number; hash: Hash | null }> {
  let have = await sizeOf(part);
  if (have > job.file.size) {
    await rm(part, { force: true });
    have = 0;
  }
  if (have === job.file.size && have > 0) return { received: 0, hash: null };
  const response = await get(job.url, job.http, have > 0 ? { range: `bytes=${have}-` } : {});
  const resumed = have > 0 && response.statusCode === 206 && rangeStart(response.headers['content-range']) === have;
  if (have > 0 && !resumed) {
    // The server sent the whole file (or another range): start over.
    await rm(part, { force: true });
    have = 0;
  }
  const hash = newHash(job.file);
  if (have > 0) {
    await pipeline(createReadStream(part), feed(hash));
    job.onProgress(have, 0);
  }
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      received += chunk.length;
      job.onProgress(have + received, chunk.length);
      done(null, chunk);
    },
  });
  try {
    await pipeline(response, meter, createWriteStream(part, { flags: have > 0 ? 'a' : 'w' }));
  } catch (err) {
    if (job.http.signal?.aborted) throw cancelled();
    throw err;
  }
  if (have + received < job.file.size) throw new Error(`the connection closed after ${have + received} of ${job.file.size} bytes`);
  return { received, hash };
}

function newHash(file: HubFile): Hash {
  if (file.sha256) return createHash('sha256');
  const hash = createHash('sha1');
  // git hashes a blob as "blob <size>\0" followed by the content.
  if (file.gitSha1) hash.update(`blob ${file.size}\0`);
  return hash;
}

function rangeStart(header: string | undefined): number | null {
  const match = header ? /^bytes (\d+)-/.exec(header) : null;
  return match ? Number(match[1]) : null;
}

/** Whether the file on disk has the listing's hash. */
export async function hashMatches(file: string, listed: HubFile): Promise<boolean> {
  const expected = listed.sha256 ?? listed.gitSha1;
  if (!expected) return false;
  const hash = newHash(listed);
  await pipeline(createReadStream(file), feed(hash));
  return hash.digest('hex') === expected.toLowerCase();
}

/** How the bytes differ from the listing, or null when they match. */
function mismatch(file: HubFile, size: number, actual: string): string | null {
  const expected = file.sha256 ?? file.gitSha1;
  if (size !== file.size) return `${size} bytes instead of ${file.size}`;
  if (expected && actual !== expected.toLowerCase()) return `${file.sha256 ? 'sha256' : 'git sha1'} ${actual} instead of ${expected}`;
  return null;
}

function damaged(file: HubFile, what: string): EngineError {
  return new EngineError('CORRUPT_MODEL', `${file.path} arrived damaged (${what}); it was deleted and nothing was cached: download again`);
}

async function verify(job: FileDownload, part: string, running: Hash | null): Promise<void> {
  const size = await sizeOf(part);
  let hash = running;
  if (!hash) {
    hash = newHash(job.file);
    await pipeline(createReadStream(part), feed(hash));
  }
  const problem = mismatch(job.file, size, hash.digest('hex'));
  if (problem) {
    await rm(part, { force: true });
    throw damaged(job.file, problem);
  }
}

/** Checks a whole file read into memory (config.json, for the size check) against the listing. */
export function checkFetched(file: HubFile, bytes: Uint8Array): void {
  const problem = mismatch(file, bytes.length, newHash(file).update(bytes).digest('hex'));
  if (problem) throw damaged(file, problem);
}

/** Puts a file already fetched and checked into the cache, through a part file like a download. */
export async function saveFetched(target: string, bytes: Uint8Array): Promise<void> {
  const part = target + PART_SUFFIX;
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(part, bytes);
  await rename(part, target);
}

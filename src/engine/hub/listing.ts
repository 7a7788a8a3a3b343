/**
 * The files of a model repository at a revision, from the hub's tree API
 * (GET {base}/api/models/{id}/tree/{revision}?recursive=true, paged through Link: rel="next"): each file's
 * path, size and what to check it against: the LFS sha256 for large files, the git blob sha1 otherwise.
 */
import { EngineError } from '../../shared/errors';
import { get, HttpStatusError, readText, type HttpOptions } from './http';

export interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content, for LFS files (all weights). */
  sha256?: string;
  /** git blob sha1 (of "blob <size>\0" + content), for small files kept in git. */
  gitSha1?: string;
}

/** At most this many pages: a model repository lists a few hundred files at most. */
const MAX_PAGES = 50;

const ID_PATTERN = /^[\w.-]+(\/[\w.-]+)?$/;

export function checkModelId(id: string): void {
  if (!ID_PATTERN.test(id) || id.includes('..')) {
    throw new EngineError('BAD_INPUT', `"${id}" is not a hub model id (expected owner/name, e.g. openai-community/gpt2)`);
  }
}

export function repoUrl(base: string, id: string): string {
  return `${base.replace(/\/+$/, '')}/${id.split('/').map(encodeURIComponent).join('/')}`;
}

export function fileUrl(base: string, id: string, revision: string, file: string): string {
  return `${repoUrl(base, id)}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

export async function listFiles(base: string, id: string, revision: string, options: HttpOptions): Promise<HubFile[]> {
  checkModelId(id);
  const root = base.replace(/\/+$/, '');
  let url: string | null = `${root}/api/models/${id}/tree/${encodeURIComponent(revision)}?recursive=true`;
  const files: HubFile[] = [];
  for (let page = 0; url && page < MAX_PAGES; page++) {
    let response;
    try {
      response = await get(url, options, { accept: 'application/json' });
    } catch (err) {
      if (err instanceof HttpStatusError && (err.status === 404 || err.status === 401)) {
        throw new EngineError(
          'MODEL_NOT_FOUND',
          `${id} at revision ${revision} is not on ${root}` +
            (err.status === 401 ? ' (or it is private or gated: it needs an access token)' : ''),
        );
      }
      throw err;
    }
    const next = nextPage(response.headers.link, url);
    files.push(...parseEntries(await readText(response), id));
    url = next;
  }
  return files;
}

function nextPage(link: string | string[] | undefined, current: string): string | null {
  const header = Array.isArray(link) ? link.join(',') : link;
  const match = header ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(header) : null;
  return match ? new URL(match[1], current).href : null;
}

function parseEntries(text: string, id: string): HubFile[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EngineError('RUNTIME', `the hub's file list for ${id} is not JSON`);
  }
  if (!Array.isArray(parsed)) throw new EngineError('RUNTIME', `the hub's file list for ${id} is not a list`);
  const files: HubFile[] = [];
  for (const item of parsed) {
    if (typeof item !== 'object' || item === null) continue;
    const entry = item as Record<string, unknown>;
    if (entry.type !== 'file' || typeof entry.path !== 'string' || typeof entry.size !== 'number') continue;
    const lfs = typeof entry.lfs === 'object' && entry.lfs !== null ? (entry.lfs as Record<string, unknown>) : null;
    const file: HubFile = { path: entry.path, size: entry.size };
    if (lfs && typeof lfs.oid === 'string') {
      file.sha256 = lfs.oid;
      if (typeof lfs.size === 'number') file.size = lfs.size;
    } else if (typeof entry.oid === 'string') {
      file.gitSha1 = entry.oid;
    }
    files.push(file);
  }
  return files;
}

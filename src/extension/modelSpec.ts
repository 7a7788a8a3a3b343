/**
 * What the `attentionInspector.model` setting and the "Enter a model id…" box accept, and what it means:
 * a curated name from the catalog (`gpt2`, `stories260K`), the catalog's own repository path
 * (`karpathy/tinyllamas/stories260K`, `openai-community/gpt2`), or any hub repository as
 * `owner/name[@revision]`. Pure, so the rules are unit tested.
 */
import { CATALOG, type CatalogEntry } from '../engine/hub/catalog';
import type { Parsed } from './commandArgs';

/** What a fresh install inspects: about 1 MB, fetched on first use. */
export const BUILT_IN_MODEL = 'stories260K';

export const DEFAULT_REVISION = 'main';

export interface HubModelSpec {
  /** Hub repository id, owner/name. */
  id: string;
  revision: string;
  /** Folder inside the repository that holds the model. */
  subfolder?: string;
  /** Exact repository files to fetch; absent: what the model's format needs. */
  files?: string[];
  /** Set when the spec names a curated model. */
  catalogKey?: string;
  /** Short name for the status bar, the panel and messages. */
  name: string;
}

/** The hub's own rule for owner and repository names: letters, digits, '-', '_', '.', no '--' or '..'. */
const NAME_PART = /^\w(?:[\w.-]*\w)?$/;
const MAX_PART_LENGTH = 96;
const REVISION = /^[\w./-]+$/;

const EXAMPLE = 'owner/name, e.g. openai-community/gpt2, optionally @revision';

function partProblem(part: string, what: string): string | undefined {
  if (part === '') return `the ${what} is missing (expected ${EXAMPLE})`;
  if (part.length > MAX_PART_LENGTH) return `the ${what} "${part}" is longer than ${MAX_PART_LENGTH} characters`;
  if (!NAME_PART.test(part) || part.includes('--') || part.includes('..')) {
    return `the ${what} "${part}" may hold only letters, digits, "-", "_" and "." (not at its start or end, and no "--" or "..")`;
  }
  return undefined;
}

/** A branch, tag or commit, by the cache's rule for revision folder names. */
export function revisionProblem(revision: string): string | undefined {
  const parts = revision.split('/');
  if (!REVISION.test(revision) || parts.some((p) => p === '' || p === '.' || p === '..')) {
    return `"${revision}" is not a revision (a branch, tag or commit such as main, v1.0 or a commit hash)`;
  }
  return undefined;
}

/** The catalog entry a name refers to: its key (any case), its repository path, or `owner/name` when that holds nothing else. */
export function findCatalogEntry(name: string, catalog: readonly CatalogEntry[] = CATALOG): CatalogEntry | undefined {
  const lower = name.toLowerCase();
  return (
    catalog.find((e) => e.key.toLowerCase() === lower) ??
    catalog.find((e) => (e.subfolder ? `${e.id}/${e.subfolder}` : e.id).toLowerCase() === lower)
  );
}

export function specFromCatalog(entry: CatalogEntry, revision = entry.revision): HubModelSpec {
  return {
    id: entry.id,
    revision,
    ...(entry.subfolder !== undefined ? { subfolder: entry.subfolder } : {}),
    ...(entry.files !== undefined ? { files: [...entry.files] } : {}),
    catalogKey: entry.key,
    name: revision === entry.revision ? entry.key : `${entry.key}@${revision}`,
  };
}

export function parseModelSpec(raw: string, catalog: readonly CatalogEntry[] = CATALOG): Parsed<HubModelSpec> {
  const text = raw.trim();
  if (text === '') return { ok: false, error: `enter a curated name such as ${BUILT_IN_MODEL} or gpt2, or a hub model id (${EXAMPLE})` };
  const at = text.indexOf('@');
  const name = at < 0 ? text : text.slice(0, at);
  const revision = at < 0 ? undefined : text.slice(at + 1);
  if (revision !== undefined) {
    const problem = revision === '' ? 'the revision after "@" is missing' : revisionProblem(revision);
    if (problem) return { ok: false, error: problem };
  }
  const entry = findCatalogEntry(name, catalog);
  if (entry) return { ok: true, value: specFromCatalog(entry, revision) };
  const parts = name.split('/');
  if (parts.length === 1) {
    return { ok: false, error: `"${name}" is not one of the curated models (${catalog.map((e) => e.key).join(', ')}); a hub model id has an owner: ${EXAMPLE}` };
  }
  if (parts.length > 2) return { ok: false, error: `"${name}" has too many "/": a hub model id is ${EXAMPLE}` };
  const problem = partProblem(parts[0], 'owner') ?? partProblem(parts[1], 'repository name');
  if (problem) return { ok: false, error: problem };
  return { ok: true, value: { id: name, revision: revision ?? DEFAULT_REVISION, name: revision ? `${name}@${revision}` : name } };
}

/** For an InputBox's validateInput: undefined when the text is a model the picker can fetch, else why not. */
export function modelIdProblem(raw: string, catalog: readonly CatalogEntry[] = CATALOG): string | undefined {
  const parsed = parseModelSpec(raw, catalog);
  return parsed.ok ? undefined : parsed.error;
}

/** The value to store in `attentionInspector.model` for a spec: its curated name, else owner/name[@revision]. */
export function specSetting(spec: HubModelSpec): string {
  const base = spec.catalogKey ?? spec.id;
  const usual = (spec.catalogKey ? findCatalogEntry(spec.catalogKey)?.revision : undefined) ?? DEFAULT_REVISION;
  return spec.revision === usual ? base : `${base}@${spec.revision}`;
}

/** Identifies one download: the same repository, revision and folder share a cache copy and an in-flight download. */
export function specKey(spec: HubModelSpec): string {
  return `${spec.id}@${spec.revision}${spec.subfolder ? `/${spec.subfolder}` : ''}`;
}

export function sameSpec(a: HubModelSpec, b: HubModelSpec): boolean {
  return specKey(a) === specKey(b);
}

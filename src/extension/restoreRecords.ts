/**
 * What the host remembers about recent inspections so that a panel restored after a window reload can tell
 * whether its text is unchanged. The panel saves only a SourceInfo (uri, lines, start offset, version);
 * document versions restart after a reload, and SourceInfo holds neither the end of the text nor its
 * content. So the host keeps, per SourceInfo, where the text ended and a SHA-256 of it, in workspace state.
 * Pure apart from the Memento-like store passed in.
 */
import { createHash } from 'node:crypto';
import type { SourceInfo } from '../shared/protocol';

/** The part of vscode.Memento used here. */
export interface MementoLike {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface RestoreRecord {
  key: string;
  /** Document offset just after the inspected text. */
  endOffset: number;
  sha256: string;
  truncated: boolean;
}

export const STATE_KEY = 'attentionInspector.restoreRecords';
/** Enough for every panel a person keeps open; old entries fall off. */
export const MAX_RECORDS = 50;

export function sourceKey(source: SourceInfo): string {
  return JSON.stringify([source.uri, source.startOffset, source.startLine, source.endLine, source.version]);
}

export function fingerprint(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function isRecord(value: unknown): value is RestoreRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.key === 'string' && Number.isInteger(r.endOffset) && typeof r.sha256 === 'string' && typeof r.truncated === 'boolean';
}

export class RestoreRecords {
  constructor(private readonly store: MementoLike) {}

  private all(): RestoreRecord[] {
    const stored = this.store.get(STATE_KEY);
    return Array.isArray(stored) ? stored.filter(isRecord) : [];
  }

  lookup(source: SourceInfo): RestoreRecord | undefined {
    const key = sourceKey(source);
    return this.all().find((record) => record.key === key);
  }

  async remember(source: SourceInfo, text: string, truncated: boolean): Promise<void> {
    const record: RestoreRecord = { key: sourceKey(source), endOffset: source.startOffset + text.length, sha256: fingerprint(text), truncated };
    const kept = this.all().filter((r) => r.key !== record.key);
    kept.push(record);
    await this.store.update(STATE_KEY, kept.slice(-MAX_RECORDS));
  }
}

/**
 * One inspection result as the host keeps it: the full InspectResult (attention stays here; the panel asks
 * for a layer at a time), what the panel gets (ResultMeta), and where the text is in its document as the
 * document is edited. Pure, so staleness and token lookups are unit tested.
 */
import type { ResultMeta, SourceInfo } from '../shared/protocol';
import type { InspectResult, LayerAttention, ModelInfo, NextTokenInfo } from '../shared/types';
import { applyChanges, type ContentChange } from './trackedSpan';
import { tokenIndexAt, tokenIndexAtCaret, tokenTextSpans, toRangeTuple, type PositionLike, type RangeTuple, type Span } from './tokenRanges';

export interface TokenSummary {
  id: number;
  text: string;
  special: boolean;
  /** The token's document range, or null for a token with no source text (BOS). */
  range: RangeTuple | null;
}

/** What attentionInspector.inspect returns to scripts and tests. */
export interface InspectSummary {
  model: ModelInfo;
  tokens: TokenSummary[];
  /** Only the first part of a longer selection was inspected. */
  truncated: boolean;
}

export interface InspectionInit {
  runId: number;
  result: InspectResult;
  /** The inspected text: token spans index into it. */
  text: string;
  source: SourceInfo;
  truncated: boolean;
}

/** What a document looks like now, for checking that a result still describes it. */
export interface DocumentView {
  version: number;
  textAt(span: Span): string;
}

export type EditOutcome = 'unaffected' | 'shifted' | 'became-stale';
export type Freshness = 'current' | 'stale' | 'became-stale';

/** A typed array that owns its whole buffer: posting a view would send the whole underlying buffer. */
export function ownedFloat32(data: Float32Array): Float32Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

export class Inspection {
  readonly runId: number;
  readonly result: InspectResult;
  readonly meta: ResultMeta;
  readonly uri: string;
  private readonly spans: readonly (Span | null)[];
  /** The text's place in the document now; it grows over edits that touch it (then the result is stale). */
  private span: Span;
  /** The document version the span is known to match; undefined after the document was closed. */
  private version: number | undefined;
  private isStale = false;

  constructor(init: InspectionInit) {
    this.runId = init.runId;
    this.result = init.result;
    this.uri = init.source.uri;
    this.meta = {
      runId: init.runId,
      model: init.result.model,
      tokens: init.result.tokens,
      next: init.result.next,
      text: init.text,
      source: init.source,
      truncated: init.truncated,
    };
    this.spans = tokenTextSpans(init.result.tokens, init.text);
    this.span = { start: init.source.startOffset, end: init.source.startOffset + init.text.length };
    this.version = init.source.version;
  }

  get stale(): boolean {
    return this.isStale;
  }

  get text(): string {
    return this.meta.text;
  }

  /** Where the inspected text is in the document now (after a touching edit: the edited text). */
  get documentSpan(): Span {
    return this.span;
  }

  /** Follows one change event of the inspected document. */
  applyChanges(version: number, changes: readonly ContentChange[]): EditOutcome {
    const update = applyChanges(this.span, changes);
    this.span = update.span;
    if (this.version !== undefined) this.version = version;
    if (update.touched) return this.markStale() ? 'became-stale' : 'unaffected';
    return update.shifted ? 'shifted' : 'unaffected';
  }

  /** Closing a document ends its change events; the next use compares text instead of versions. */
  forgetVersion(): void {
    this.version = undefined;
  }

  /** Whether the result still describes `document`: the version it was tracked to, or the same text in place. */
  freshness(document: DocumentView): Freshness {
    if (this.isStale) return 'stale';
    if (this.version === document.version) return 'current';
    if (document.textAt(this.span) === this.meta.text) {
      this.version = document.version;
      return 'current';
    }
    return this.markStale() ? 'became-stale' : 'stale';
  }

  /** True when this call made it stale. */
  markStale(): boolean {
    const was = this.isStale;
    this.isStale = true;
    return !was;
  }

  /** The token under a document offset (hover), or null outside the text or on a stale result. */
  tokenAt(documentOffset: number): number | null {
    return this.isStale ? null : tokenIndexAt(this.spans, documentOffset - this.span.start);
  }

  /** The token at a caret (cursor) offset. */
  tokenAtCaret(documentOffset: number): number | null {
    return this.isStale ? null : tokenIndexAtCaret(this.spans, documentOffset - this.span.start);
  }

  /** A token's document offsets, or null for a token with no source text. */
  tokenSpan(index: number): Span | null {
    const span = this.spans[index];
    return span ? { start: span.start + this.span.start, end: span.end + this.span.start } : null;
  }

  nextAfter(index: number): NextTokenInfo | undefined {
    const next = this.result.next;
    return next[index]?.position === index ? next[index] : next.find((n) => n.position === index);
  }

  layer(layer: number): LayerAttention | undefined {
    return this.result.attention.find((a) => a.layer === layer);
  }

  summary(positionAt: (offset: number) => PositionLike): InspectSummary {
    return {
      model: this.meta.model,
      truncated: this.meta.truncated,
      tokens: this.meta.tokens.map((token, i) => {
        const span = this.tokenSpan(i);
        return { id: token.id, text: token.text, special: token.special, range: span ? toRangeTuple(span, positionAt) : null };
      }),
    };
  }
}

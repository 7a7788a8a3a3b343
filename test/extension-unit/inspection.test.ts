import assert from 'node:assert/strict';
import { Inspection, ownedFloat32, type DocumentView } from '../../src/extension/inspection';
import { isPng } from '../../src/extension/png';
import { inclusiveEndLine, lineRangeLabel, makeSourceInfo, panelTitle, safePngName } from '../../src/extension/sourceInfo';
import { FakeDocument } from './helpers/fakeDocument';
import { BOS, fakeResult, tok } from './helpers/tokens';

const PREFIX = '# notes\r\n';
const TEXT = 'ab\r\n今';
const tokens = [BOS, tok(20, 'ab', 0, 2), tok(16, '␍', 2, 3), tok(13, '↵', 3, 4), tok(231, '今 1/3', 4, 5), tok(190, '今 2/3', 4, 5), tok(141, '今 3/3', 4, 5)];

function make(version = 3): { inspection: Inspection; doc: FakeDocument } {
  const doc = new FakeDocument(`${PREFIX}${TEXT}\r\nafter`);
  const start = doc.positionAt(PREFIX.length);
  const end = doc.positionAt(PREFIX.length + TEXT.length);
  const source = makeSourceInfo({ uri: 'file:///w/notes.md', uriPath: '/w/notes.md', version, startOffset: PREFIX.length, start, end });
  return { inspection: new Inspection({ runId: 4, result: fakeResult(tokens), text: TEXT, source, truncated: false }), doc };
}

function view(text: string, version: number): DocumentView {
  return { version, textAt: (span) => text.slice(span.start, span.end) };
}

describe('extension: an inspection kept by the host', () => {
  it('gives the panel everything but attention', () => {
    const { inspection } = make();
    const meta = inspection.meta as unknown as Record<string, unknown>;
    assert.equal(meta.attention, undefined);
    assert.equal(inspection.meta.runId, 4);
    assert.deepEqual(inspection.meta.source, { fileName: 'notes.md', uri: 'file:///w/notes.md', startLine: 1, endLine: 2, startOffset: 9, version: 3 });
    assert.equal(inspection.meta.text, TEXT);
  });

  it('summarises tokens with document ranges for scripts (CRLF document, byte tokens, BOS)', () => {
    const { inspection, doc } = make();
    const summary = inspection.summary((o) => doc.positionAt(o));
    assert.equal(summary.truncated, false);
    assert.deepEqual(
      summary.tokens.map((t) => t.range),
      [null, [1, 0, 1, 2], [1, 2, 2, 0], [1, 2, 2, 0], [2, 0, 2, 1], [2, 0, 2, 1], [2, 0, 2, 1]],
    );
    assert.deepEqual(summary.tokens[0], { id: 1, text: '<s>', special: true, range: null });
  });

  it('finds tokens by document offset and follows edits before the text', () => {
    const { inspection, doc } = make();
    assert.equal(inspection.tokenAt(PREFIX.length), 1);
    assert.equal(inspection.tokenAt(PREFIX.length + 4), 6, 'the last byte token of 今');
    assert.equal(inspection.tokenAt(PREFIX.length - 1), null);
    assert.equal(inspection.applyChanges(4, [{ rangeOffset: 0, rangeLength: 0, textLength: 3 }]), 'shifted');
    assert.equal(inspection.tokenAt(PREFIX.length), null);
    assert.equal(inspection.tokenAt(PREFIX.length + 3), 1);
    assert.deepEqual(inspection.tokenSpan(1), { start: 12, end: 14 });
    assert.equal(inspection.freshness(view(`abc${doc.text}`, 4)), 'current');
  });

  it('goes stale when the text itself is edited, once', () => {
    const { inspection } = make();
    assert.equal(inspection.applyChanges(4, [{ rangeOffset: PREFIX.length + 1, rangeLength: 1, textLength: 0 }]), 'became-stale');
    assert.equal(inspection.stale, true);
    assert.equal(inspection.tokenAt(PREFIX.length), null, 'no hovers on a stale result');
    assert.deepEqual(inspection.documentSpan, { start: 9, end: 13 }, 'the span covers the edited text');
    assert.equal(inspection.applyChanges(5, [{ rangeOffset: PREFIX.length + 1, rangeLength: 0, textLength: 2 }]), 'unaffected', 'already stale');
    assert.deepEqual(inspection.documentSpan, { start: 9, end: 15 });
  });

  it('checks text, not versions, once the document was closed and reopened', () => {
    const { inspection, doc } = make();
    inspection.forgetVersion();
    assert.equal(inspection.freshness(view(doc.text, 1)), 'current');
    assert.equal(inspection.freshness(view(doc.text, 1)), 'current');
    const edited = doc.text.replace('今', '明');
    assert.equal(inspection.freshness(view(edited, 2)), 'became-stale');
    assert.equal(inspection.freshness(view(doc.text, 3)), 'stale');
  });

  it('looks up next-token info and layers', () => {
    const { inspection } = make();
    assert.equal(inspection.nextAfter(2)?.position, 2);
    assert.equal(inspection.layer(1)?.layer, 1);
    assert.equal(inspection.layer(9), undefined);
  });
});

describe('extension: layer data for the panel', () => {
  it('sends a typed array that owns its buffer (a view would send its whole buffer)', () => {
    const whole = new Float32Array(16);
    assert.equal(ownedFloat32(whole), whole);
    const view = new Float32Array(whole.buffer, 16, 4);
    const owned = ownedFloat32(view);
    assert.notEqual(owned, view);
    assert.equal(owned.byteOffset, 0);
    assert.equal(owned.buffer.byteLength, 16);
  });
});

describe('extension: source labels and file names', () => {
  it('counts lines from 1 and ignores the empty last line of a whole-line selection', () => {
    assert.equal(inclusiveEndLine({ line: 2, character: 0 }, { line: 5, character: 0 }), 4);
    assert.equal(inclusiveEndLine({ line: 2, character: 0 }, { line: 2, character: 0 }), 2);
    assert.equal(lineRangeLabel(2, 4), '3–5');
    assert.equal(lineRangeLabel(7, 7), '8');
    assert.equal(panelTitle({ fileName: 'a.md', startLine: 0, endLine: 1 }), 'Attention: a.md:1–2');
  });

  it('makes the panel suggested name safe for a folder', () => {
    assert.equal(safePngName('attention-notes-3-7.png'), 'attention-notes-3-7.png');
    assert.equal(safePngName('../../etc/passwd'), 'passwd.png');
    assert.equal(safePngName('a:b*c?.PNG'), 'a-b-c-.png');
    assert.equal(safePngName(''), 'attention.png');
    assert.equal(safePngName('注意力 热图'), '注意力 热图.png');
  });

  it('recognises PNG bytes', () => {
    assert.equal(isPng(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), true);
    assert.equal(isPng(new Uint8Array([1, 2, 3])), false);
  });
});

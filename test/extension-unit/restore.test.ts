import assert from 'node:assert/strict';
import { sourceFromPanelState } from '../../src/extension/panelState';
import { fingerprint, MAX_RECORDS, RestoreRecords, STATE_KEY, type MementoLike } from '../../src/extension/restoreRecords';
import type { SourceInfo } from '../../src/shared/protocol';

const source: SourceInfo = { fileName: 'a.md', uri: 'file:///w/a.md', startLine: 2, endLine: 4, startOffset: 30, version: 7 };

class MemoryMemento implements MementoLike {
  readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

describe('extension: restoring a panel after a reload', () => {
  it('reads the source from the state the webview saved', () => {
    assert.deepEqual(sourceFromPanelState({ source, view: 'arcs', layer: 0, heads: [], compare: [], threshold: 0 }), source);
  });

  it('refuses state that is missing, foreign or malformed', () => {
    assert.equal(sourceFromPanelState(undefined), null);
    assert.equal(sourceFromPanelState({ source: null }), null);
    assert.equal(sourceFromPanelState({ source: { ...source, startOffset: -1 } }), null);
    assert.equal(sourceFromPanelState({ source: { ...source, uri: 5 } }), null);
    assert.equal(sourceFromPanelState({ source: { ...source, endLine: 1 } }), null);
    assert.equal(sourceFromPanelState('{"source":{}}'), null);
  });

  it('remembers where the text ended and its fingerprint, per source', async () => {
    const memento = new MemoryMemento();
    const records = new RestoreRecords(memento);
    await records.remember(source, 'hello\nworld', false);
    const record = records.lookup(source);
    assert.ok(record);
    assert.equal(record.endOffset, 30 + 11);
    assert.equal(record.sha256, fingerprint('hello\nworld'));
    assert.equal(record.truncated, false);
    assert.equal(records.lookup({ ...source, version: 8 }), undefined, 'another run of other text is another record');
  });

  it('keeps the newest records only, and survives junk in storage', async () => {
    const memento = new MemoryMemento();
    await memento.update(STATE_KEY, [{ junk: true }, 'x']);
    const records = new RestoreRecords(memento);
    for (let i = 0; i < MAX_RECORDS + 5; i++) await records.remember({ ...source, startOffset: i }, `t${i}`, i % 2 === 0);
    const stored = memento.get(STATE_KEY) as unknown[];
    assert.equal(stored.length, MAX_RECORDS);
    assert.equal(records.lookup({ ...source, startOffset: 0 }), undefined);
    assert.ok(records.lookup({ ...source, startOffset: MAX_RECORDS + 4 }));
  });

  it('fingerprints tell texts apart', () => {
    assert.notEqual(fingerprint('a'), fingerprint('b'));
    assert.match(fingerprint('今天'), /^[0-9a-f]{64}$/);
  });
});

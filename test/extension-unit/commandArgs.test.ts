import assert from 'node:assert/strict';
import { parseInspectArgs, parseModelArg, parsePathArg } from '../../src/extension/commandArgs';

describe('extension: command arguments', () => {
  it('takes uri, range and truncate', () => {
    assert.deepEqual(parseInspectArgs({ uri: 'file:///a.txt', range: [0, 1, 2, 3], truncate: true }), {
      ok: true,
      value: { uri: 'file:///a.txt', range: [0, 1, 2, 3], truncate: true },
    });
    assert.deepEqual(parseInspectArgs({ range: [1, 0, 1, 5] }), { ok: true, value: { range: [1, 0, 1, 5] } });
  });

  it('treats no argument, and what menus pass (a Uri object), as "use the editor"', () => {
    assert.deepEqual(parseInspectArgs(undefined), { ok: true, value: {} });
    assert.deepEqual(parseInspectArgs({ scheme: 'file', path: '/a.txt', fsPath: '/a.txt' }), { ok: true, value: {} });
    assert.deepEqual(parseInspectArgs('file:///a.txt'), { ok: true, value: {} });
  });

  it('refuses malformed values with a message naming the argument', () => {
    for (const bad of [{ range: [0, 0, -1, 2] }, { range: [0, 0, 1] }, { range: [0, 0.5, 1, 2] }, { range: 'all' }]) {
      const parsed = parseInspectArgs(bad);
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.error, /"range"/);
    }
    const uri = parseInspectArgs({ uri: 42 });
    assert.match(uri.ok ? '' : uri.error, /"uri"/);
    const truncate = parseInspectArgs({ truncate: 'yes' });
    assert.match(truncate.ok ? '' : truncate.error, /"truncate"/);
  });

  it('never takes a Uri from a menu for a path (it would overwrite the editor file)', () => {
    const uri = { scheme: 'file', authority: '', path: '/w/notes.md', fsPath: '/w/notes.md' };
    assert.deepEqual(parsePathArg(uri), { ok: true, value: {} });
    assert.deepEqual(parseInspectArgs({ ...uri, range: [0, 0, 0, 1] }), { ok: true, value: {} });
  });

  it('path arguments for export and the model folder', () => {
    assert.deepEqual(parsePathArg({ path: '/tmp/x.png' }), { ok: true, value: { path: '/tmp/x.png' } });
    assert.deepEqual(parsePathArg(undefined), { ok: true, value: {} });
    assert.equal(parsePathArg({ path: '' }).ok, false);
    assert.equal(parsePathArg({ path: 3 }).ok, false);
  });

  it('a model argument for Select Model, anything else shows the picker', () => {
    assert.deepEqual(parseModelArg({ model: ' gpt2 ' }), { ok: true, value: { model: 'gpt2' } });
    assert.deepEqual(parseModelArg(undefined), { ok: true, value: {} });
    assert.deepEqual(parseModelArg({ scheme: 'file', model: 'x' }), { ok: true, value: {} });
    assert.equal(parseModelArg({ model: '  ' }).ok, false);
    const bad = parseModelArg({ model: 42 });
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error, /the "model" argument must be a non-empty string/);
  });
});

/**
 * The pure mapping and the too-long search against the real engine (worker + stories260K), so the
 * assumptions about real token spans (BOS, the invented leading space, byte tokens, CRLF) and about the
 * TOO_LONG error hold for the engine as built.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EngineClient } from '../../src/engine/client';
import { findFirstPart, isTooLong } from '../../src/extension/firstPart';
import { hoverMarkdown } from '../../src/extension/hoverMarkdown';
import { Inspection } from '../../src/extension/inspection';
import { makeSourceInfo } from '../../src/extension/sourceInfo';
import { EngineError } from '../../src/shared/errors';
import { STORIES_DIR } from '../helpers/stories260K';
import { FakeDocument } from './helpers/fakeDocument';

const WORKER = path.resolve(__dirname, '../../dist/engineWorker.js');
const source = { dir: STORIES_DIR };

describe('extension with the real engine (stories260K)', function () {
  this.timeout(60_000);
  let engine: EngineClient;

  before(function () {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run "npm run build" first`);
    engine = new EngineClient({ workerPath: WORKER });
  });
  after(() => engine.dispose());

  it('every token range holds exactly the document text of its span (ASCII, Chinese, emoji, CRLF)', async () => {
    const before = 'header line\r\n';
    const text = 'Once upon 今天 😀\r\nthe end';
    const doc = new FakeDocument(`${before}${text}\r\ntail`);
    const result = await engine.inspect(source, { text }, { topK: 5 });
    const startOffset = before.length;
    const sourceInfo = makeSourceInfo({
      uri: 'file:///w/a.txt',
      uriPath: '/w/a.txt',
      version: 1,
      startOffset,
      start: doc.positionAt(startOffset),
      end: doc.positionAt(startOffset + text.length),
    });
    const inspection = new Inspection({ runId: 1, result, text, source: sourceInfo, truncated: false });
    const summary = inspection.summary((o) => doc.positionAt(o));
    assert.equal(summary.tokens[0].special, true);
    assert.equal(summary.tokens[0].range, null);
    summary.tokens.forEach((token, i) => {
      if (!token.range) return;
      const [sl, sc, el, ec] = token.range;
      const covered = doc.getText(doc.offsetAt({ line: sl, character: sc }), doc.offsetAt({ line: el, character: ec }));
      const engineToken = result.tokens[i];
      const expected = text.slice(engineToken.start, engineToken.end);
      // a token holding half of a CRLF covers the whole line break in the editor
      assert.equal(covered, expected === '\r' || expected === '\n' ? '\r\n' : expected, `token ${i} ${JSON.stringify(token.text)}`);
    });
    const chineseTokens = summary.tokens.filter((t) => t.range && doc.getText(doc.offsetAt({ line: t.range[0], character: t.range[1] }), doc.offsetAt({ line: t.range[2], character: t.range[3] })) === '今');
    assert.equal(chineseTokens.length, 3, '今 is three byte tokens');
    // a hover on 今 describes its last byte token, whose guess is about what follows the character
    const index = inspection.tokenAt(startOffset + text.indexOf('今'));
    assert.ok(index !== null);
    assert.equal(result.tokens[index].text, '今 3/3');
    const next = inspection.nextAfter(index);
    assert.ok(next);
    const md = hoverMarkdown({ token: result.tokens[index], index, tokenCount: result.tokens.length, next, following: result.tokens[index + 1] });
    assert.equal(md.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length, 5);
  });

  it('finds the longest first part of a too-long text by tokenizing only, and it inspects', async () => {
    const text = 'Once upon a time, there was a little girl named Lily. '.repeat(60);
    const tooLong = await engine.inspect(source, { text }, { layers: [], next: false }).then(
      () => assert.fail('the text should be too long'),
      (err: unknown) => err,
    );
    assert.ok(isTooLong(tooLong), String(tooLong));
    const part = await findFirstPart(engine, source, text, tooLong as EngineError);
    assert.equal(part.model.context, 512);
    assert.ok(part.tokens && part.tokens > 512, `the whole text's count is named: ${part.tokens}`);
    assert.ok(part.fit.tokens <= 512 && part.fit.tokens >= 500, `${part.fit.tokens} tokens`);
    const result = await engine.inspect(source, { text: text.slice(0, part.fit.length) }, { topK: 3 });
    assert.equal(result.tokens.length, part.fit.tokens);
    await assert.rejects(engine.inspect(source, { text: text.slice(0, part.fit.length + 8) }, { layers: [], next: false }), (err: unknown) => isTooLong(err));
  });

  it('a text far beyond the context (refused before tokenizing) still finds its first part', async () => {
    const text = 'ab '.repeat(20_000);
    const err = await engine.inspect(source, { text }, { layers: [], next: false }).catch((e: unknown) => e);
    assert.ok(isTooLong(err));
    const part = await findFirstPart(engine, source, text, err as EngineError);
    assert.equal(part.tokens, undefined, 'no count in the message for a text refused by its length');
    assert.ok(part.fit.tokens <= 512 && part.fit.tokens > 400);
  });
});

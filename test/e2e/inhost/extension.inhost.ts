/**
 * Attention Inspector in the extension host of a real VS Code, with the full `vscode` API: activation,
 * commands, the inspect command's token ranges against the command line's tokens (English and Chinese),
 * the editor hover against the command line's top-k, the PNG export, and the messages for bad inputs.
 * The expected values come from the outer test (AI_E2E_FIXTURES), computed with `node dist/cli.js`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { escapeMarkdown, formatProbability, visibleToken } from '../../../src/extension/hoverMarkdown';
import type { ExpectedInspection, InHostFixtures } from './report';

const EXTENSION_ID = 'attention-inspector.attention-inspector';
const COMMANDS = [
  'attentionInspector.inspect',
  'attentionInspector.exportPng',
  'attentionInspector.chooseModelFolder',
  'attentionInspector.selectModel',
  'attentionInspector.manageModels',
];

type RangeTuple = [number, number, number, number];

interface TokenSummary {
  id: number;
  text: string;
  special: boolean;
  range: RangeTuple | null;
}

interface InspectSummary {
  model: { name: string; layers: number; heads: number; context: number };
  tokens: TokenSummary[];
  truncated: boolean;
}

interface ReportedMessage {
  level: 'info' | 'warning' | 'error';
  message: string;
  code?: string;
}

/** What the extension's activate() returns for scripts and tests. */
interface InspectorApi {
  recentMessages(): readonly ReportedMessage[];
}

const fixtures = JSON.parse(readFileSync(requiredEnv('AI_E2E_FIXTURES'), 'utf8')) as InHostFixtures;

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests are started by test/e2e/inhost.test.ts`);
  return value;
}

function extension(): vscode.Extension<InspectorApi> {
  const ext = vscode.extensions.getExtension<InspectorApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed in this VS Code`);
  return ext;
}

async function setModelFolder(dir: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('attentionInspector').update('modelFolder', dir, vscode.ConfigurationTarget.Global);
}

async function inspect(args: { uri?: string; range?: RangeTuple; truncate?: boolean } | undefined): Promise<InspectSummary | undefined> {
  return vscode.commands.executeCommand<InspectSummary | undefined>('attentionInspector.inspect', args);
}

function toRange([sl, sc, el, ec]: RangeTuple): vscode.Range {
  return new vscode.Range(sl, sc, el, ec);
}

/** The messages the extension reported while `action` ran (it records every notification it shows). */
async function messagesDuring(action: () => Thenable<unknown>): Promise<ReportedMessage[]> {
  const api = extension().exports;
  const before = api.recentMessages().length;
  await action();
  return api.recentMessages().slice(before);
}

/** Checks the inspect command's tokens against the command line's tokens for the same text. */
async function assertTokensMatchDocument(expected: ExpectedInspection): Promise<void> {
  const document = await vscode.workspace.openTextDocument(expected.file);
  const summary = await inspect({ uri: vscode.Uri.file(expected.file).toString(), range: expected.range });
  assert.ok(summary, 'inspect returned nothing');
  assert.equal(summary.truncated, false);
  assert.deepEqual(
    summary.tokens.map((t) => t.id),
    expected.tokens.map((t) => t.id),
    'the extension and the command line tokenize the text the same way',
  );
  const startOffset = document.offsetAt(toRange(expected.range).start);
  summary.tokens.forEach((token, i) => {
    const cli = expected.tokens[i];
    assert.equal(token.special, cli.special, `token ${i} (${cli.text}) is special in both or neither`);
    // BOS, and the tokenizer's dummy-prefix space before text that does not start with a word, cover no text.
    if (cli.special || cli.start === cli.end) {
      assert.equal(token.range, null, `token ${i} "${cli.text}" covers no text, so it has no range`);
      return;
    }
    assert.ok(token.range, `token ${i} "${cli.text}" has a range`);
    const range = toRange(token.range);
    assert.equal(
      document.getText(range),
      expected.text.slice(cli.start, cli.end),
      `token ${i} "${cli.text}" covers the document text the command line gave it`,
    );
    assert.equal(document.offsetAt(range.start), startOffset + cli.start, `token ${i} starts where the command line says`);
  });
}

/** Index of the token a hover at `offset` (into the inspected text) describes: the last one covering it. */
function tokenIndexAt(expected: ExpectedInspection, offset: number): number {
  for (let i = expected.tokens.length - 1; i >= 0; i--) {
    const t = expected.tokens[i];
    if (!t.special && t.start <= offset && offset < t.end) return i;
  }
  throw new Error(`no token covers offset ${offset}`);
}

async function hoverMarkdownAt(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

/** The hover at the `nth` occurrence of `needle` in the inspected text lists the command line's top-k there. */
async function assertHoverShowsTopK(expected: ExpectedInspection, needle: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(expected.file);
  await inspect({ uri: document.uri.toString(), range: expected.range });
  const offsetInText = expected.text.indexOf(needle);
  assert.ok(offsetInText >= 0, `"${needle}" is in the inspected text`);
  const index = tokenIndexAt(expected, offsetInText);
  const position = document.positionAt(document.offsetAt(toRange(expected.range).start) + offsetInText);
  const markdown = await hoverMarkdownAt(document.uri, position);
  assert.ok(markdown.length > 0, `a hover at ${position.line}:${position.character}`);
  const next = expected.next.find((n) => n.position === index);
  assert.ok(next, `the command line has next-token guesses for token ${index}`);
  assert.equal(next.top.length, fixtures.topK);
  next.top.forEach((guess, rank) => {
    const row = `| ${rank + 1} | `;
    const label = escapeMarkdown(visibleToken(guess.text));
    const line = markdown.split('\n').find((l) => l.startsWith(row));
    assert.ok(line, `the hover has row ${rank + 1}:\n${markdown}`);
    assert.ok(line.includes(label), `row ${rank + 1} names "${guess.text}" like the command line: ${line}`);
    assert.ok(line.includes(`| ${formatProbability(guess.p)} |`), `row ${rank + 1} shows ${formatProbability(guess.p)} like the command line: ${line}`);
  });
}

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR', 'the first chunk is IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('Attention Inspector in a real VS Code', function () {
  before(async () => {
    await setModelFolder(fixtures.modelDir);
  });

  after(async () => {
    await setModelFolder(undefined);
  });

  describe('activation', () => {
    it('activates', async () => {
      const ext = extension();
      await ext.activate();
      assert.equal(ext.isActive, true);
    });

    it('registers its commands', async () => {
      const commands = await vscode.commands.getCommands(true);
      for (const command of COMMANDS) assert.ok(commands.includes(command), `${command} is registered`);
    });
  });

  describe('inspect', () => {
    it('maps the tokens of two English lines to their document text', async () => {
      await assertTokensMatchDocument(fixtures.english);
    });

    it('maps the byte tokens of Chinese characters to their character', async () => {
      await assertTokensMatchDocument(fixtures.chinese);
      const summary = await inspect({ uri: vscode.Uri.file(fixtures.chinese.file).toString(), range: fixtures.chinese.range });
      assert.ok(summary);
      const document = await vscode.workspace.openTextDocument(fixtures.chinese.file);
      const characters = summary.tokens.filter((t) => t.range).map((t) => document.getText(toRange(t.range as RangeTuple)));
      assert.ok(characters.length > [...fixtures.chinese.text].length, 'more tokens than characters (byte tokens)');
      assert.ok(characters.includes('今'), 'a token covers 今');
    });

    it('inspects the active editor selection when given no arguments', async () => {
      const document = await vscode.workspace.openTextDocument(fixtures.english.file);
      const editor = await vscode.window.showTextDocument(document);
      editor.selection = new vscode.Selection(0, 0, 0, 16); // "Once upon a time"
      const summary = await inspect(undefined);
      assert.ok(summary);
      const covered = summary.tokens.filter((t) => t.range).map((t) => document.getText(toRange(t.range as RangeTuple)));
      assert.equal(covered.join(''), 'Once upon a time');
      assert.equal(summary.model.name, 'stories260K');
    });
  });

  describe('hover', () => {
    it('shows the model top-k for an English token, as the command line computes it', async () => {
      await assertHoverShowsTopK(fixtures.english, 'little');
    });

    it('shows the model top-k for a Chinese character, as the command line computes it', async () => {
      await assertHoverShowsTopK(fixtures.chinese, '天气');
    });
  });

  describe('export', () => {
    it('writes the panel as a PNG to a given path', async () => {
      await inspect({ uri: vscode.Uri.file(fixtures.english.file).toString(), range: fixtures.english.range });
      mkdirSync(fixtures.outDir, { recursive: true });
      const file = path.join(fixtures.outDir, 'inhost-export.png');
      rmSync(file, { force: true });
      // Right after inspect returns: the panel must wait for its first drawing rather than refuse.
      const messages = await messagesDuring(() => vscode.commands.executeCommand('attentionInspector.exportPng', { path: file }));
      assert.ok(existsSync(file), `a PNG at ${file}; messages: ${JSON.stringify(messages)}`);
      const { width, height } = pngSize(file);
      assert.ok(width >= 200 && height >= 100, `a real image, not a sliver: ${width}x${height}`);
      assert.deepEqual(messages.filter((m) => m.level === 'error'), []);
    });
  });

  describe('bad inputs', () => {
    it('an empty selection on an empty line says there is nothing to inspect', async () => {
      const document = await vscode.workspace.openTextDocument({ content: '\nsome text\n', language: 'plaintext' });
      const messages = await messagesDuring(() => inspect({ uri: document.uri.toString(), range: [0, 0, 0, 0] }));
      const error = messages.find((m) => m.level === 'error' || m.level === 'warning');
      assert.ok(error, `a message; got ${JSON.stringify(messages)}`);
      assert.match(error.message, /empty|nothing/i);
    });

    it('a selection longer than the model context is refused with its token count when not truncated', async () => {
      const long = 'Once upon a time, there was a little girl. '.repeat(120);
      const document = await vscode.workspace.openTextDocument({ content: long, language: 'plaintext' });
      const messages = await messagesDuring(() => inspect({ uri: document.uri.toString(), truncate: false }));
      const error = messages.find((m) => m.level === 'error' || m.level === 'warning');
      assert.ok(error, `a message; got ${JSON.stringify(messages)}`);
      assert.match(error.message, /long|context|at most/i);
    });

    it('a selection longer than the model context is cut to fit with truncate: true', async () => {
      const long = 'Once upon a time, there was a little girl. '.repeat(120);
      const document = await vscode.workspace.openTextDocument({ content: long, language: 'plaintext' });
      const summary = await inspect({ uri: document.uri.toString(), truncate: true });
      assert.ok(summary);
      assert.equal(summary.truncated, true);
      assert.ok(summary.tokens.length <= summary.model.context, `${summary.tokens.length} tokens fit the context`);
    });

    it('a missing model folder names the folder and offers to choose another', async () => {
      const missing = path.join(fixtures.outDir, 'no-such-model');
      await setModelFolder(missing);
      try {
        const messages = await messagesDuring(() => inspect({ uri: vscode.Uri.file(fixtures.english.file).toString(), range: [0, 0, 0, 16] }));
        const error = messages.find((m) => m.level === 'error');
        assert.ok(error, `an error message; got ${JSON.stringify(messages)}`);
        assert.ok(error.message.includes('no-such-model'), error.message);
      } finally {
        await setModelFolder(fixtures.modelDir);
      }
    });

    it('malformed command arguments are reported, not thrown', async () => {
      const messages = await messagesDuring(() => inspect({ range: [0, 0, -1, 2] as unknown as RangeTuple }));
      const error = messages.find((m) => m.level === 'error');
      assert.ok(error, `an error message; got ${JSON.stringify(messages)}`);
      assert.match(error.message, /range/);
    });
  });
});

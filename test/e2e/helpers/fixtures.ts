/**
 * Expected results for the in-host tests, computed outside VS Code by the command line on the same text:
 * the extension's inspect command and hover must agree with `node dist/cli.js inspect --json`.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExpectedInspection, InHostFixtures } from '../inhost/report';
import { DIST_DIR, REPO_ROOT, RESULTS_DIR, SAMPLES_DIR, STORIES_DIR } from './paths';

type Range = [number, number, number, number];

interface CliJson {
  tokens: ExpectedInspection['tokens'];
  next: { position: number; top: { id: number; text: string; p: number }[] }[];
}

/** The text a 0-based [startLine, startChar, endLine, endChar] range covers in `content` (LF line ends). */
export function textOfRange(content: string, [sl, sc, el, ec]: Range): string {
  const lineStarts = [0];
  for (let i = 0; i < content.length; i++) if (content[i] === '\n') lineStarts.push(i + 1);
  return content.slice(lineStarts[sl] + sc, lineStarts[el] + ec);
}

export function lineLength(file: string, line: number): number {
  return readFileSync(file, 'utf8').split('\n')[line].length;
}

export async function expectedInspection(file: string, range: Range, topK: number): Promise<ExpectedInspection> {
  const text = textOfRange(readFileSync(file, 'utf8'), range);
  const json = await runCli(['inspect', '--model', STORIES_DIR, '--text', text, '--top-k', String(topK), '--layers', '0', '--json']);
  const next = json.next.map((n) => ({ position: n.position, tokenText: json.tokens[n.position].text, top: n.top }));
  return { file, range, text, tokens: json.tokens, next };
}

function runCli(args: string[]): Promise<CliJson> {
  const cli = path.join(DIST_DIR, 'cli.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, ...args], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`node dist/cli.js ${args[0]} failed (${err.message}): ${stderr}`));
      else resolve(JSON.parse(stdout) as CliJson);
    });
  });
}

const TOP_K = 10;

/**
 * Computes what the in-host tests expect (with the CLI, outside VS Code) and writes it as the JSON file the
 * in-host tests read from AI_E2E_FIXTURES.
 */
export async function writeInHostFixtures(dir: string): Promise<string> {
  const story = path.join(SAMPLES_DIR, 'story.txt');
  const chinese = path.join(SAMPLES_DIR, 'transformer-zh.txt');
  const [english, chineseExpected] = await Promise.all([
    // Two lines, so token ranges must cross a line break correctly.
    expectedInspection(story, [0, 0, 1, lineLength(story, 1)], TOP_K),
    // Every Chinese character is three byte tokens in stories260K's vocabulary.
    expectedInspection(chinese, [0, 0, 0, lineLength(chinese, 0)], TOP_K),
  ]);
  const fixtures: InHostFixtures = { modelDir: STORIES_DIR, topK: TOP_K, outDir: RESULTS_DIR, english, chinese: chineseExpected };
  const file = path.join(dir, 'fixtures.json');
  writeFileSync(file, JSON.stringify(fixtures, null, 2));
  return file;
}

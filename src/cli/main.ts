/**
 * attention-inspector CLI: a thin headless front door to the engine for scripts and tests.
 *   node dist/cli.js inspect --model <dir> (--text <t> | --text-file <f> | --ids 1,2,3) [--top-k K] [--layers 0,2] [--json]
 *   node dist/cli.js generate --model <dir> [--prompt <t>] --max-tokens N [--temperature T] [--top-k K] [--top-p P] [--seed S]
 * Errors a person can fix print one line and exit with code 2; nothing prints a stack trace.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { EngineClient } from '../engine/client';
import type { ModelInput } from '../engine/workerProtocol';
import { EngineError } from '../shared/errors';
import { formatInspectJson, formatInspectText } from './format';

const USAGE = `usage:
  attention-inspector inspect --model <dir> (--text <t> | --text-file <file> | --ids 1,2,3) [--top-k K] [--layers L,..] [--json]
  attention-inspector generate --model <dir> [--prompt <t>] --max-tokens N [--temperature T] [--top-k K] [--top-p P] [--seed S]

  --model      folder holding the model (a llama2.c checkpoint and its tokenizer, e.g. stories260K)
  --text       text to inspect, encoded as the model's tokenizer does (BOS first for llama2.c)
  --ids        token ids, used exactly as given (no BOS added)
  --top-k      next-token guesses per position (inspect, default 10) or the sampling cut-off (generate)
  --json       machine-readable output with every layer's attention as [layer][head][query][key]
  --temperature 0 means greedy (default 1)`;

class UsageError extends Error {}

const OPTIONS = {
  model: { type: 'string' },
  text: { type: 'string' },
  'text-file': { type: 'string' },
  ids: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  layers: { type: 'string' },
  json: { type: 'boolean' },
  prompt: { type: 'string' },
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument: ${positionals[1]}`);
  if (!values.model) throw new UsageError('--model <dir> is required');
  const source = { dir: values.model };
  const client = new EngineClient();
  try {
    if (command === 'inspect') await runInspect(client, source, values);
    else if (command === 'generate') await runGenerate(client, source, values);
    else throw new UsageError(`unknown command "${command}" (expected inspect or generate)`);
  } finally {
    await client.dispose();
  }
  return 0;
}

async function runInspect(client: EngineClient, source: { dir: string }, values: Values): Promise<void> {
  const given = [values.text !== undefined, values['text-file'] !== undefined, values.ids !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('inspect needs exactly one of --text, --text-file or --ids');
  let input: ModelInput;
  if (values.ids !== undefined) input = { ids: parseIntList(values.ids, '--ids') };
  else if (values['text-file'] !== undefined) input = { text: await readText(values['text-file']) };
  else input = { text: values.text ?? '' };
  const topK = values['top-k'] === undefined ? undefined : parseInteger(values['top-k'], '--top-k', 1);
  const layers = values.layers === undefined ? undefined : parseIntList(values.layers, '--layers');
  const result = await client.inspect(source, input, { topK, layers });
  process.stdout.write(values.json ? formatInspectJson(result) : formatInspectText(result));
}

async function runGenerate(client: EngineClient, source: { dir: string }, values: Values): Promise<void> {
  if (values['max-tokens'] === undefined) throw new UsageError('generate needs --max-tokens N');
  const result = await client.generate(
    source,
    { text: values.prompt ?? '' },
    {
      maxTokens: parseInteger(values['max-tokens'], '--max-tokens', 0),
      temperature: values.temperature === undefined ? undefined : parseNumber(values.temperature, '--temperature'),
      topK: values['top-k'] === undefined ? undefined : parseInteger(values['top-k'], '--top-k', 0),
      topP: values['top-p'] === undefined ? undefined : parseNumber(values['top-p'], '--top-p'),
      seed: values.seed === undefined ? undefined : parseInteger(values.seed, '--seed', 0),
      attention: false,
    },
  );
  process.stdout.write(`${result.text}\n`);
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read --text-file ${file}`);
  }
}

function parseIntList(value: string, flag: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`${flag} takes whole numbers separated by commas (got "${value}")`);
  return parts.map(Number);
}

function parseInteger(value: string, flag: string, min: number): number {
  if (!/^-?\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag} takes a whole number >= ${min} (got "${value}")`);
  return Number(value);
}

function parseNumber(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} takes a number (got "${value}")`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (err instanceof EngineError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.code === 'INTERNAL' || err.code === 'WORKER_CRASHED' || err.code === 'RUNTIME' ? 1 : 2;
    } else {
      process.stderr.write(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);

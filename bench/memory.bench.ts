/**
 * `node --import=tsx bench/memory.bench.ts [gpt2|qwen|tinyllama ...]`: whether real model shapes fit in
 * WebAssembly memory. For each shape it writes a Hugging Face folder with random weights of the real sizes
 * (GPT-2 small in float32; Qwen2.5-0.5B and TinyLlama-1.1B in bfloat16, as the hub stores them), loads it
 * through the real loader (which picks the precision, weightPrecision.ts), inspects a text of about 200
 * tokens, and prints the WebAssembly heap after loading and after the inspect next to planWeights'
 * estimate, with the times and the process's peak RSS.
 *
 * Each shape runs in its own child process: WebAssembly memory never shrinks. Prints; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { open, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tinyByteLevelTokenizer, tinySentencePieceTokenizer } from '../test/helpers/hfTinyTokenizers';

interface Shape {
  key: string;
  modelType: 'gpt2' | 'llama' | 'qwen2';
  dtype: 'F32' | 'BF16';
  config: Record<string, unknown>;
  tensors: [name: string, shape: number[]][];
}

const GiB = 2 ** 30;

function llamaTensors(layers: number, dim: number, hidden: number, qDim: number, kvDim: number, vocab: number, bias: boolean, tied: boolean): Shape['tensors'] {
  const t: Shape['tensors'] = [['model.embed_tokens.weight', [vocab, dim]]];
  for (let i = 0; i < layers; i++) {
    const l = `model.layers.${i}`;
    t.push([`${l}.input_layernorm.weight`, [dim]]);
    for (const [name, out] of [['q_proj', qDim], ['k_proj', kvDim], ['v_proj', kvDim]] as const) {
      t.push([`${l}.self_attn.${name}.weight`, [out, dim]]);
      if (bias) t.push([`${l}.self_attn.${name}.bias`, [out]]);
    }
    t.push([`${l}.self_attn.o_proj.weight`, [dim, qDim]], [`${l}.post_attention_layernorm.weight`, [dim]]);
    t.push([`${l}.mlp.gate_proj.weight`, [hidden, dim]], [`${l}.mlp.up_proj.weight`, [hidden, dim]], [`${l}.mlp.down_proj.weight`, [dim, hidden]]);
  }
  t.push(['model.norm.weight', [dim]]);
  if (!tied) t.push(['lm_head.weight', [vocab, dim]]);
  return t;
}

function gpt2Tensors(layers: number, dim: number, vocab: number, context: number): Shape['tensors'] {
  const t: Shape['tensors'] = [['transformer.wte.weight', [vocab, dim]], ['transformer.wpe.weight', [context, dim]]];
  for (let i = 0; i < layers; i++) {
    const h = `transformer.h.${i}`;
    for (const ln of ['ln_1', 'ln_2']) t.push([`${h}.${ln}.weight`, [dim]], [`${h}.${ln}.bias`, [dim]]);
    t.push([`${h}.attn.c_attn.weight`, [dim, 3 * dim]], [`${h}.attn.c_attn.bias`, [3 * dim]]);
    t.push([`${h}.attn.c_proj.weight`, [dim, dim]], [`${h}.attn.c_proj.bias`, [dim]]);
    t.push([`${h}.mlp.c_fc.weight`, [dim, 4 * dim]], [`${h}.mlp.c_fc.bias`, [4 * dim]]);
    t.push([`${h}.mlp.c_proj.weight`, [4 * dim, dim]], [`${h}.mlp.c_proj.bias`, [dim]]);
  }
  t.push(['transformer.ln_f.weight', [dim]], ['transformer.ln_f.bias', [dim]]);
  return t;
}

const SHAPES: Shape[] = [
  {
    key: 'gpt2',
    modelType: 'gpt2',
    dtype: 'F32',
    config: { model_type: 'gpt2', n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, vocab_size: 50257, layer_norm_epsilon: 1e-5, torch_dtype: 'float32' },
    tensors: gpt2Tensors(12, 768, 50257, 1024),
  },
  {
    key: 'qwen',
    modelType: 'qwen2',
    dtype: 'BF16',
    config: {
      model_type: 'qwen2', hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24, num_attention_heads: 14,
      num_key_value_heads: 2, max_position_embeddings: 32768, rope_theta: 1e6, rms_norm_eps: 1e-6, vocab_size: 151936,
      tie_word_embeddings: true, hidden_act: 'silu', torch_dtype: 'bfloat16',
    },
    tensors: llamaTensors(24, 896, 4864, 896, 128, 151936, true, true),
  },
  {
    key: 'tinyllama',
    modelType: 'llama',
    dtype: 'BF16',
    config: {
      model_type: 'llama', hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 22, num_attention_heads: 32,
      num_key_value_heads: 4, max_position_embeddings: 2048, rope_theta: 10000, rms_norm_eps: 1e-5, vocab_size: 32000,
      tie_word_embeddings: false, hidden_act: 'silu', torch_dtype: 'bfloat16',
    },
    tensors: llamaTensors(22, 2048, 5632, 2048, 256, 32000, false, false),
  },
];

/** Small random values (|x| < 0.03), as a pool of bit patterns cycled with a cheap generator. */
function randomPool(dtype: Shape['dtype']): Uint16Array | Float32Array {
  const n = 1 << 16;
  const values = Float32Array.from({ length: n }, () => (Math.random() * 2 - 1) * 0.03);
  if (dtype === 'F32') return values;
  const bits = new Uint16Array(n);
  const words = new Uint32Array(values.buffer);
  for (let i = 0; i < n; i++) bits[i] = words[i] >>> 16;
  return bits;
}

/** Writes model.safetensors tensor by tensor (norm gains 1, everything else random) without holding it whole. */
async function writeSafetensors(file: string, shape: Shape): Promise<number> {
  const width = shape.dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, dims] of shape.tensors) {
    const bytes = dims.reduce((a, b) => a * b, 1) * width;
    header[name] = { dtype: shape.dtype, shape: dims, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  const handle = await open(file, 'w');
  try {
    await handle.write(prefix);
    await handle.write(json);
    const pool = randomPool(shape.dtype);
    const chunk = new (pool.constructor as Uint16ArrayConstructor | Float32ArrayConstructor)(1 << 22);
    let seed = 12345;
    for (const [name, dims] of shape.tensors) {
      let left = dims.reduce((a, b) => a * b, 1);
      const isGain = name.endsWith('norm.weight') || /ln_\w+\.weight$/.test(name);
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        for (let i = 0; i < n; i++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          chunk[i] = isGain ? (shape.dtype === 'F32' ? 1 : 0x3f80) : pool[seed >>> 16];
        }
        await handle.write(new Uint8Array(chunk.buffer, 0, n * width));
        left -= n;
      }
    }
  } finally {
    await handle.close();
  }
  return offset / width;
}

async function writeFolder(shape: Shape): Promise<{ dir: string; parameters: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), `ai-mem-${shape.key}-`));
  const parameters = await writeSafetensors(path.join(dir, 'model.safetensors'), shape);
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(shape.config));
  const tokenizer = shape.modelType === 'llama' ? tinySentencePieceTokenizer() : tinyByteLevelTokenizer(shape.modelType === 'qwen2');
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.json));
  await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizer.config));
  return { dir, parameters };
}

interface Result {
  precision: string;
  estimateGiB: number;
  loadMs: number;
  sessionMs: number;
  heapAfterLoadGiB: number;
  tokens: number;
  inspectMs: number;
  heapAfterInspectGiB: number;
  peakRssGiB: number;
}

/** Child mode: loads and inspects one folder, printing one JSON line. */
async function child(dir: string, parameters: number, storedBytes: number): Promise<void> {
  // onnxruntime creates its heap from JS: watch it (before the engine modules load onnxruntime). The
  // project's type libraries leave WebAssembly out, hence the local types.
  type Memory = { buffer: ArrayBuffer };
  const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: unknown) => Memory } }).WebAssembly;
  const memories: Memory[] = [];
  const Original = wasm.Memory;
  wasm.Memory = function (descriptor: unknown) {
    const memory = new Original(descriptor);
    memories.push(memory);
    return memory;
  } as unknown as typeof Original;
  const heap = (): number => Math.max(0, ...memories.map((m) => m.buffer.byteLength)) / GiB;
  const { loadModelFolder } = await import('../src/engine/loadModel');
  const { inspect } = await import('../src/engine/inspect');
  const { planWeights } = await import('../src/engine/weightPrecision');
  const plan = planWeights(parameters, storedBytes);
  const t0 = performance.now();
  const engine = await loadModelFolder(dir);
  const loadMs = performance.now() - t0;
  const heapAfterLoadGiB = heap();
  const text = 'Once upon a time, in a small town by the sea, there lived a girl who liked to read. '.repeat(3);
  const t1 = performance.now();
  const result = await inspect(engine, { text });
  const out: Result = {
    precision: plan.precision,
    estimateGiB: plan.memoryBytes / GiB,
    loadMs,
    sessionMs: engine.timings.sessionMs,
    heapAfterLoadGiB,
    tokens: result.tokens.length,
    inspectMs: performance.now() - t1,
    heapAfterInspectGiB: heap(),
    peakRssGiB: process.resourceUsage().maxRSS / 1024 / 1024,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const shapes = wanted.length ? SHAPES.filter((s) => wanted.includes(s.key)) : SHAPES;
  console.log('shape       stored  params   held as   estimate  heap loaded  heap inspected  load     inspect (tokens)  peak RSS');
  for (const shape of shapes) {
    const { dir, parameters } = await writeFolder(shape);
    try {
      const storedBytes = shape.dtype === 'F32' ? 4 : 2;
      const out = execFileSync(process.execPath, ['--import=tsx', __filename, '--child', dir, String(parameters), String(storedBytes)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      const r = JSON.parse(out.trim().split('\n').at(-1) ?? '') as Result;
      console.log(
        `${shape.key.padEnd(11)} ${shape.dtype.padEnd(6)} ${(parameters / 1e6).toFixed(0).padStart(5)}M  ${r.precision.padEnd(9)} ` +
          `${r.estimateGiB.toFixed(2)} GiB  ${r.heapAfterLoadGiB.toFixed(2)} GiB     ${r.heapAfterInspectGiB.toFixed(2)} GiB        ` +
          `${(r.loadMs / 1000).toFixed(1)} s  ${(r.inspectMs / 1000).toFixed(1)} s (${r.tokens})      ${r.peakRssGiB.toFixed(2)} GiB`,
      );
    } catch (err) {
      console.log(`${shape.key.padEnd(11)} FAILED: ${err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  console.log('WebAssembly memory is limited to 4.00 GiB; the estimate is what the hub client checks before a download.');
}

if (process.argv[2] === '--child') void child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
else void main();

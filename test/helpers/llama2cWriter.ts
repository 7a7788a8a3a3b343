/**
 * Writes a Llama-family Model as a llama2.c "legacy v0" checkpoint, the inverse of the loader, so tests can
 * make model folders of any size (e.g. one big enough that a forward pass takes seconds).
 */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { matrixFloat32, transpose, type Linear, type Model } from '../../src/engine/model';
import { STORIES_DIR } from './stories260K';

function outIn(linear: Linear): Float32Array {
  return transpose(matrixFloat32(linear.w), linear.inDim, linear.outDim);
}

export function llama2cCheckpoint(model: Model): Uint8Array {
  const { config: c, weights: w } = model;
  if (w.family !== 'llama') throw new Error('llama2.c checkpoints hold Llama-family models only');
  const header = new Int32Array([c.dim, c.hiddenDim, c.layers, c.heads, c.kvHeads, w.lmHead ? -c.vocab : c.vocab, c.context]);
  const layers = w.layers;
  const perLayer = (pick: (l: (typeof layers)[number]) => Float32Array): Float32Array[] => layers.map(pick);
  const parts: Float32Array[] = [
    matrixFloat32(w.tokenEmbedding),
    ...perLayer((l) => l.attnNorm),
    ...perLayer((l) => outIn(l.wq)),
    ...perLayer((l) => outIn(l.wk)),
    ...perLayer((l) => outIn(l.wv)),
    ...perLayer((l) => outIn(l.wo)),
    ...perLayer((l) => l.ffnNorm),
    ...perLayer((l) => outIn(l.w1)),
    ...perLayer((l) => outIn(l.w2)),
    ...perLayer((l) => outIn(l.w3)),
    w.finalNorm,
    new Float32Array(c.context * (c.headDim / 2) * 2), // the legacy RoPE tables, unused
    ...(w.lmHead ? [outIn(w.lmHead)] : []),
  ];
  const floats = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(header.byteLength + floats * 4);
  out.set(new Uint8Array(header.buffer), 0);
  let offset = header.byteLength;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), offset);
    offset += p.byteLength;
  }
  return out;
}

/** A temp folder holding the model as model.bin next to a copy of stories260K's 512-token tokenizer. */
export async function writeLlama2cFolder(model: Model): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ai-llama2c-'));
  await writeFile(path.join(dir, 'model.bin'), llama2cCheckpoint(model));
  await copyFile(path.join(STORIES_DIR, 'tok512.bin'), path.join(dir, 'tok512.bin'));
  return dir;
}

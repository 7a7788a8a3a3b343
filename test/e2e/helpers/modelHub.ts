/**
 * The stand-in Hugging Face hub the model e2e tests point the extension at (ATTENTION_INSPECTOR_HUB_URL):
 * the unit tests' fake hub (test/helpers/hfHubServer.ts) holding the models the tests choose, behind a
 * loopback front that can throttle chosen files, so a download lasts long enough to watch its progress
 * notification or to cancel it. The front forwards every request unchanged (the hub's redirects are
 * relative, so they come back through it) and only paces the bodies of throttled files.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as net from 'node:net';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomGpt2Model } from '../../../src/engine/testing/randomModels';
import { startFakeHub, type FakeHub, type RepoFile } from '../../helpers/hfHubServer';
import { writeHfFolder } from '../../helpers/hfWriter';
import { STORIES_DIR } from './paths';

/** The repository the curated stories260K comes from, and the files the catalog names. */
export const STORIES_REPO = 'karpathy/tinyllamas';
/** A tiny random GPT-2 in the Hugging Face layout, chosen with "Enter a model id…". */
export const TINY_REPO = 'e2e-org/tiny-gpt2';
/** A repository whose weights arrive slowly: the download the tests cancel. */
export const SLOW_REPO = 'e2e-org/slow-model';
export const SLOW_WEIGHTS = 'model.safetensors';
const SLOW_WEIGHT_BYTES = 8 * 1024 * 1024;

export interface ModelHub {
  /** What ATTENTION_INSPECTOR_HUB_URL is set to: the throttling front. */
  url: string;
  hub: FakeHub;
  /** Bytes per second for files whose request path ends with the key (e.g. `/stories260K.bin`). */
  throttle: Map<string, number>;
  /** Throttled bodies that ended before their last byte because the client went away (a cancel). */
  abandoned: string[];
  close(): Promise<void>;
}

async function storiesFiles(): Promise<RepoFile[]> {
  const files: RepoFile[] = [];
  for (const name of ['stories260K.bin', 'tok512.bin']) files.push({ path: `stories260K/${name}`, content: await readFile(path.join(STORIES_DIR, name)) });
  return files;
}

async function tinyGpt2Files(): Promise<RepoFile[]> {
  const folder = await writeHfFolder(randomGpt2Model({ vocab: 270 }, 3), { modelType: 'gpt2' });
  try {
    const files: RepoFile[] = [];
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) {
      files.push({ path: name, content: await readFile(path.join(folder, name)) });
    }
    return files;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Never loaded (its download is cancelled), so its weights need only the size that makes it slow. */
function slowModelFiles(): RepoFile[] {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  return [
    { path: 'config.json', content: text('{"model_type":"gpt2","torch_dtype":"float32"}') },
    { path: 'tokenizer.json', content: text('{}') },
    { path: SLOW_WEIGHTS, content: randomBytes(SLOW_WEIGHT_BYTES) },
  ];
}

/** Sends what it is given `bytesPerSecond` fast, in small slices; stops its timer when destroyed. */
function pace(bytesPerSecond: number): Transform {
  const tickMs = 50;
  const slice = Math.max(1, Math.round((bytesPerSecond * tickMs) / 1000));
  let timer: NodeJS.Timeout | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let offset = 0;
      const next = (): void => {
        if (offset >= chunk.length) return done();
        this.push(chunk.subarray(offset, offset + slice));
        offset += slice;
        timer = setTimeout(next, tickMs);
      };
      next();
    },
    destroy(err, callback) {
      clearTimeout(timer);
      callback(err);
    },
  });
}

export async function startModelHub(): Promise<ModelHub> {
  const hub = await startFakeHub();
  hub.repos.set(STORIES_REPO, new Map([['main', await storiesFiles()]]));
  hub.repos.set(TINY_REPO, new Map([['main', await tinyGpt2Files()]]));
  hub.repos.set(SLOW_REPO, new Map([['main', slowModelFiles()]]));
  const sockets = new Set<net.Socket>();
  const front: ModelHub = {
    url: '',
    hub,
    throttle: new Map(),
    abandoned: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await hub.close();
    },
  };
  const server = http.createServer((req, res) => {
    const upstream = http.request(`${hub.url}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const pathname = new URL(req.url ?? '/', hub.url).pathname;
      const rate = [...front.throttle].find(([suffix]) => pathname.endsWith(suffix))?.[1];
      if (rate === undefined) {
        answer.pipe(res);
        return;
      }
      pipeline(answer, pace(rate), res).catch(() => front.abandoned.push(pathname));
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return front;
}

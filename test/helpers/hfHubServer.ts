/**
 * A local stand-in for the Hugging Face hub on 127.0.0.1: the tree API (paged), /resolve/ with a redirect
 * to a "CDN" path for LFS files, HTTP Range, and switches for the failures the downloader must survive:
 * a connection dropped mid-file, corrupted bytes, a stalled body; over https with a given certificate.
 * Also a CONNECT proxy for proxy tests, optionally wanting a Proxy-Authorization header.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';

export interface RepoFile {
  path: string;
  content: Uint8Array;
  /** Served through the LFS redirect and listed with a sha256 (default: .safetensors, .bin, .onnx). */
  lfs?: boolean;
  /** Size reported by the listing instead of the real one (for size-check tests; never served). */
  listedSize?: number;
}

export interface ServedRequest {
  method: string;
  url: string;
  range?: string;
}

export interface FakeHub {
  url: string;
  requests: ServedRequest[];
  /** Repository id -> revision -> files. */
  repos: Map<string, Map<string, RepoFile[]>>;
  /** Drop the connection after this many body bytes of the named file, `times` times. */
  dropAfter: Map<string, { bytes: number; times: number }>;
  /** Serve these files with their first byte flipped. */
  corrupt: Set<string>;
  /** Send this many bytes of the named file, then stall until the client gives up. */
  stallAfter: Map<string, number>;
  /** Tree API page size (Link: rel="next" beyond it). */
  pageSize: number;
  close(): Promise<void>;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function gitSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function isLfs(file: RepoFile): boolean {
  return file.lfs ?? /\.(safetensors|bin|onnx|onnx_data)$/.test(file.path);
}

export interface FakeHubOptions {
  /** Serve https with this certificate and key (PEM) instead of http. */
  tls?: { cert: string; key: string };
}

export async function startFakeHub(options: FakeHubOptions = {}): Promise<FakeHub> {
  const sockets = new Set<net.Socket>();
  const hub: FakeHub = {
    url: '',
    requests: [],
    repos: new Map(),
    dropAfter: new Map(),
    corrupt: new Set(),
    stallAfter: new Map(),
    pageSize: 1000,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    hub.requests.push({ method: req.method ?? 'GET', url: req.url ?? '', range: req.headers.range });
    route(hub, req, res);
  };
  const server = options.tls ? https.createServer(options.tls, handle) : http.createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  hub.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return hub;
}

function route(hub: FakeHub, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(url.pathname);
  if (tree) {
    const files = hub.repos.get(tree[1])?.get(decodeURIComponent(tree[2]));
    if (!files) return notFound(res);
    const page = Number(url.searchParams.get('page') ?? 0);
    const entries = files.slice(page * hub.pageSize, (page + 1) * hub.pageSize).map((f) => {
      const size = f.listedSize ?? f.content.length;
      return isLfs(f)
        ? { type: 'file', path: f.path, size, oid: gitSha1(f.content), lfs: { oid: sha256(f.content), size, pointerSize: 134 } }
        : { type: 'file', path: f.path, size, oid: gitSha1(f.content) };
    });
    if ((page + 1) * hub.pageSize < files.length) {
      res.setHeader('link', `<${url.pathname}?recursive=true&page=${page + 1}>; rel="next"`);
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(entries));
    return;
  }
  const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (resolve) {
    const path = resolve[3].split('/').map(decodeURIComponent).join('/');
    const file = hub.repos.get(resolve[1])?.get(decodeURIComponent(resolve[2]))?.find((f) => f.path === path);
    if (!file) return notFound(res);
    if (isLfs(file)) {
      res.statusCode = 302;
      res.setHeader('location', `/cdn/${resolve[1]}/${encodeURIComponent(resolve[2])}/${resolve[3]}`);
      res.end();
      return;
    }
    return serve(hub, file, req, res);
  }
  const cdn = /^\/cdn\/([^/]+\/[^/]+)\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (cdn) {
    const path = cdn[3].split('/').map(decodeURIComponent).join('/');
    const file = hub.repos.get(cdn[1])?.get(decodeURIComponent(cdn[2]))?.find((f) => f.path === path);
    return file ? serve(hub, file, req, res) : notFound(res);
  }
  notFound(res);
}

function notFound(res: http.ServerResponse): void {
  res.statusCode = 404;
  res.end('{"error":"Repository not found"}');
}

function serve(hub: FakeHub, file: RepoFile, req: http.IncomingMessage, res: http.ServerResponse): void {
  let body = file.content;
  if (hub.corrupt.has(file.path)) {
    body = Uint8Array.from(body);
    body[0] ^= 0xff;
  }
  let start = 0;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range && Number(range[1]) < body.length) {
    start = Number(range[1]);
    res.statusCode = 206;
    res.setHeader('content-range', `bytes ${start}-${body.length - 1}/${body.length}`);
  }
  const part = body.subarray(start);
  res.setHeader('content-length', part.length);
  res.setHeader('accept-ranges', 'bytes');
  const drop = hub.dropAfter.get(file.path);
  if (drop && drop.times > 0 && drop.bytes < part.length) {
    drop.times--;
    res.flushHeaders();
    res.write(part.subarray(0, drop.bytes), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  const stall = hub.stallAfter.get(file.path);
  if (stall !== undefined && stall < part.length) {
    res.flushHeaders();
    res.write(part.subarray(0, stall));
    return;
  }
  res.end(part);
}

export interface FakeProxy {
  url: string;
  /** CONNECT targets seen, host:port. */
  tunnels: string[];
  close(): Promise<void>;
}

export interface FakeProxyOptions {
  /** Answer 407 to a CONNECT without exactly this Proxy-Authorization header. */
  authorization?: string;
}

/** A CONNECT-only proxy on 127.0.0.1 that tunnels to whatever host:port it is asked for. */
export async function startFakeProxy(options: FakeProxyOptions = {}): Promise<FakeProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.statusCode = 405;
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    sockets.add(client);
    if (options.authorization !== undefined && req.headers['proxy-authorization'] !== options.authorization) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Requests through an HTTP proxy without a dependency: the agent opens each connection with CONNECT
 * host:port at the proxy and, for https targets, runs TLS to the real host over that tunnel, so the proxy
 * sees only the host name. Credentials in the proxy URL become Proxy-Authorization: Basic.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { EngineError } from '../../shared/errors';

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

interface TunnelTarget {
  host: string;
  port: number;
  servername?: string;
}

function targetOf(options: http.ClientRequestArgs, secure: boolean): TunnelTarget {
  const host = (options.hostname ?? options.host ?? 'localhost').replace(/^\[|\]$/g, '');
  const port = Number(options.port ?? (secure ? 443 : 80));
  const servername = 'servername' in options && typeof options.servername === 'string' ? options.servername : host;
  return { host, port, servername };
}

/** Opens a CONNECT tunnel through `proxy` to target; the callback gets the raw socket or an error. */
function openTunnel(proxy: URL, target: TunnelTarget, done: (err: Error | null, socket?: Duplex) => void): void {
  const headers: Record<string, string> = { host: `${target.host}:${target.port}` };
  if (proxy.username) {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const request = http.request({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxy.port || 80),
    method: 'CONNECT',
    path: `${target.host}:${target.port}`,
    headers,
  });
  request.on('connect', (response, socket) => {
    if (response.statusCode !== 200) {
      socket.destroy();
      done(Object.assign(new Error(`proxy refused the tunnel: HTTP ${response.statusCode}`), { code: 'ERR_PROXY' }));
      return;
    }
    done(null, socket);
  });
  request.on('error', (err) => done(err));
  request.end();
}

class HttpTunnelAgent extends http.Agent {
  constructor(private readonly proxy: URL) {
    super({ keepAlive: false });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
    openTunnel(this.proxy, targetOf(options, false), (err, socket) => {
      if (callback) callback(err, socket as Duplex);
    });
    return undefined;
  }
}

class HttpsTunnelAgent extends https.Agent {
  constructor(private readonly proxy: URL) {
    super({ keepAlive: false });
  }

  override createConnection(options: https.RequestOptions, callback?: ConnectCallback): Duplex | null | undefined {
    const target = targetOf(options, true);
    openTunnel(this.proxy, target, (err, socket) => {
      if (!callback) return;
      if (err || !socket) {
        callback(err ?? new Error('no tunnel'), socket as Duplex);
        return;
      }
      const secure = tls.connect({ socket, servername: target.servername, ALPNProtocols: ['http/1.1'] });
      callback(null, secure);
    });
    return undefined;
  }
}

/** An agent that sends requests for http (secure false) or https targets through `proxyUrl`. */
export function proxyAgent(proxyUrl: string, secure: boolean): http.Agent {
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl.includes('://') ? proxyUrl : `http://${proxyUrl}`);
  } catch {
    throw new EngineError('BAD_INPUT', `the proxy setting ${JSON.stringify(proxyUrl)} is not a URL (expected http://host:port)`);
  }
  return secure ? new HttpsTunnelAgent(proxy) : new HttpTunnelAgent(proxy);
}

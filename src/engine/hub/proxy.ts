/**
 * Requests through an HTTP proxy without a dependency: the agent opens each connection with CONNECT
 * host:port at the proxy and, for https targets, runs TLS to the real host over that tunnel, so the proxy
 * sees only the host name. The CONNECT carries Proxy-Authorization: the configured header value, else
 * Basic from credentials in the proxy URL. Credentials never appear in an error message.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { EngineError } from '../../shared/errors';

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

export interface TunnelOptions {
  /** Verify the target's certificate (https targets); false mirrors http.proxyStrictSSL off. */
  rejectUnauthorized: boolean;
  /** The whole Proxy-Authorization header value; wins over credentials in the proxy URL. */
  authorization?: string;
}

interface TunnelTarget {
  host: string;
  port: number;
  servername?: string;
}

function targetOf(options: http.ClientRequestArgs, secure: boolean): TunnelTarget {
  const host = (options.hostname ?? options.host ?? 'localhost').replace(/^\[|\]$/g, '');
  const port = Number(options.port ?? (secure ? 443 : 80));
  const named = 'servername' in options && typeof options.servername === 'string' && options.servername !== '' ? options.servername : host;
  // TLS server names are host names only (RFC 6066): an address target is checked against its IP SAN instead.
  return { host, port, servername: isIP(named) === 0 ? named : undefined };
}

function authorizationFor(proxy: URL, options: TunnelOptions): string | undefined {
  if (options.authorization) return options.authorization;
  if (!proxy.username) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/** 407 is a settings problem, not an outage: say what to set instead of falling back to the offline copy. */
function authenticationRequired(proxy: URL, sent: boolean): EngineError {
  return new EngineError(
    'BAD_INPUT',
    sent
      ? `the proxy ${proxy.host} refused the credentials it was given (HTTP 407): check http.proxyAuthorization or the user:password in the proxy address`
      : `the proxy ${proxy.host} wants authentication (HTTP 407): set http.proxyAuthorization, or put user:password in the proxy address`,
  );
}

/** Opens a CONNECT tunnel through `proxy` to target; the callback gets the raw socket or an error. */
function openTunnel(proxy: URL, options: TunnelOptions, target: TunnelTarget, done: (err: Error | null, socket?: Duplex) => void): void {
  const headers: Record<string, string> = { host: `${target.host}:${target.port}` };
  const authorization = authorizationFor(proxy, options);
  if (authorization) headers['proxy-authorization'] = authorization;
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
      if (response.statusCode === 407) done(authenticationRequired(proxy, authorization !== undefined));
      else done(Object.assign(new Error(`proxy refused the tunnel: HTTP ${response.statusCode}`), { code: 'ERR_PROXY' }));
      return;
    }
    done(null, socket);
  });
  request.on('error', (err) => done(err));
  request.end();
}

class HttpTunnelAgent extends http.Agent {
  constructor(
    private readonly proxy: URL,
    private readonly tunnel: TunnelOptions,
  ) {
    super({ keepAlive: false });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
    openTunnel(this.proxy, this.tunnel, targetOf(options, false), (err, socket) => {
      if (callback) callback(err, socket as Duplex);
    });
    return undefined;
  }
}

class HttpsTunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    private readonly tunnel: TunnelOptions,
  ) {
    super({ keepAlive: false });
  }

  override createConnection(options: https.RequestOptions, callback?: ConnectCallback): Duplex | null | undefined {
    const target = targetOf(options, true);
    openTunnel(this.proxy, this.tunnel, target, (err, socket) => {
      if (!callback) return;
      if (err || !socket) {
        callback(err ?? new Error('no tunnel'), socket as Duplex);
        return;
      }
      const secure = tls.connect({
        socket,
        // The identity check needs the target's name: without `host` it would fall back to the proxy's.
        host: target.host,
        servername: target.servername,
        rejectUnauthorized: this.tunnel.rejectUnauthorized,
        ALPNProtocols: ['http/1.1'],
      });
      callback(null, secure);
    });
    return undefined;
  }
}

/** "http://user:***@proxy:8080" (scheme optional) for logs and messages: the password never leaves. */
export function redactCredentials(proxy: string): string {
  return proxy.replace(/^((?:[a-z][a-z\d+.-]*:\/\/)?[^:@/]+):[^@/]*@/i, '$1:***@');
}

/** An agent that sends requests for http (secure false) or https targets through `proxyUrl`. */
export function proxyAgent(proxyUrl: string, secure: boolean, options: TunnelOptions): http.Agent {
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl.includes('://') ? proxyUrl : `http://${proxyUrl}`);
  } catch {
    throw new EngineError('BAD_INPUT', `the proxy setting ${JSON.stringify(redactCredentials(proxyUrl))} is not a URL (expected http://host:port)`);
  }
  return secure ? new HttpsTunnelAgent(proxy, options) : new HttpTunnelAgent(proxy, options);
}

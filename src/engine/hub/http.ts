/**
 * GET requests for the hub client over node:http / node:https: redirects followed (the hub sends weight
 * files to a CDN), an optional proxy or caller-supplied agent, certificate checks that can be turned off,
 * cancellation through AbortSignal, an idle timeout, and failures sorted into "cannot reach the server"
 * (offline) versus "the server said no" versus a certificate refused (a settings problem).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { EngineError } from '../../shared/errors';
import { proxyAgent } from './proxy';

export interface HttpOptions {
  /** Used for every request; wins over `proxy`. */
  agent?: http.Agent;
  /** http://[user:pass@]host:port of a proxy (e.g. VS Code's http.proxy setting). */
  proxy?: string;
  /** The Proxy-Authorization header value (VS Code's http.proxyAuthorization); wins over credentials in `proxy`. */
  proxyAuthorization?: string;
  /** Verify server certificates, directly and through a proxy (default true; VS Code's http.proxyStrictSSL). */
  strictSSL?: boolean;
  /** A hub access token, for gated models; sent to the hub's own host only. */
  token?: string;
  signal?: AbortSignal;
  /** No bytes for this long ends the request (default 30 s). */
  idleTimeoutMs?: number;
  userAgent?: string;
}

const MAX_REDIRECTS = 8;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_USER_AGENT = 'attention-inspector';

/** Error codes that mean the network or the server is unreachable, not that a request was refused. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_IDLE_TIMEOUT',
  'ERR_PROXY',
]);

/** A failure to reach the server at all (as opposed to an HTTP error status). */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly code: string,
  ) {
    super(`cannot reach ${new URL(url).origin} (${code})`);
  }
}

export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url}: HTTP ${status}`);
  }
}

/** OpenSSL's verification failures (self-signed, unknown issuer, expired…) and Node's host-name check. */
function isCertificateError(err: unknown): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY_LEAF)/.test(errorCode(err));
}

/** A settings problem rather than a network one: it says what to change, so it is not retried or taken for offline. */
function certificateRejected(url: string, err: Error): EngineError {
  return new EngineError(
    'BAD_INPUT',
    `the certificate of ${new URL(url).origin} was not accepted (${err.message}): if a proxy or firewall re-signs ` +
      'HTTPS traffic, trust its certificate authority, or turn off http.proxyStrictSSL to skip the check',
  );
}

export function isUnreachable(err: unknown): err is UnreachableError {
  return err instanceof UnreachableError;
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'ERROR';
}

export function cancelled(): EngineError {
  return new EngineError('CANCELLED', 'the download was cancelled');
}

/**
 * Starts a GET and resolves with the final response (after redirects) once its headers arrive. Status
 * codes other than 2xx reject with HttpStatusError; the caller owns the body stream.
 */
export async function get(url: string, options: HttpOptions, headers: Record<string, string> = {}): Promise<http.IncomingMessage> {
  let current = url;
  const tokenHost = new URL(url).host;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await once(current, options, {
      'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
      ...headers,
      ...(options.token && new URL(current).host === tokenHost ? { authorization: `Bearer ${options.token}` } : {}),
    });
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.resume();
      current = new URL(location, current).href;
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new HttpStatusError(current, status);
    }
    return response;
  }
  throw new EngineError('RUNTIME', `${url}: more than ${MAX_REDIRECTS} redirects`);
}

/** Reads a whole (small) response body, honouring the signal. */
export async function readBytes(response: http.IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) {
      response.destroy();
      throw new EngineError('RUNTIME', `the server sent more than ${limitBytes} bytes where a small file was expected`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a whole (small) response body as text. */
export async function readText(response: http.IncomingMessage, limitBytes = 64 * 1024 * 1024): Promise<string> {
  return (await readBytes(response, limitBytes)).toString('utf8');
}

function once(url: string, options: HttpOptions, headers: Record<string, string>): Promise<http.IncomingMessage> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:') {
    return Promise.reject(new EngineError('BAD_INPUT', `unsupported URL scheme in ${url}`));
  }
  const rejectUnauthorized = options.strictSSL !== false;
  const agent =
    options.agent ??
    (options.proxy ? proxyAgent(options.proxy, secure, { rejectUnauthorized, authorization: options.proxyAuthorization }) : undefined);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(cancelled());
      return;
    }
    const request = secure
      ? https.request(target, { method: 'GET', headers, agent, rejectUnauthorized })
      : http.request(target, { method: 'GET', headers, agent });
    const onAbort = (): void => {
      request.destroy(cancelled());
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    request.setTimeout(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, () => {
      request.destroy(Object.assign(new Error('idle timeout'), { code: 'ERR_IDLE_TIMEOUT' }));
    });
    request.on('response', (response) => {
      options.signal?.removeEventListener('abort', onAbort);
      response.on('error', () => undefined);
      // Cancelling mid-body destroys the response; the reader sees the error and stops.
      const onBodyAbort = (): void => {
        response.destroy(cancelled());
      };
      options.signal?.addEventListener('abort', onBodyAbort, { once: true });
      response.on('close', () => options.signal?.removeEventListener('abort', onBodyAbort));
      resolve(response);
    });
    request.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (err instanceof EngineError) reject(err);
      else if (options.signal?.aborted) reject(cancelled());
      else if (isCertificateError(err)) reject(certificateRejected(url, err));
      else reject(UNREACHABLE.has(errorCode(err)) ? new UnreachableError(url, errorCode(err)) : err);
    });
    request.end();
  });
}

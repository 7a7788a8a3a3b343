/**
 * How the hub client reaches the hub from inside VS Code: which hub (ATTENTION_INSPECTOR_HUB_URL, so tests
 * and mirrors never need the real one), which proxy (VS Code's `http.proxy`, else the http(s)_proxy
 * environment variables as VS Code itself falls back to them, minus `http.noProxy` / NO_PROXY hosts) and
 * what to tell it (`http.proxyAuthorization`), whether to verify certificates (`http.proxyStrictSSL`, with
 * or without a proxy) and which access token (HF_TOKEN, for gated models, sent only to the real hub). Pure.
 */
import type { HttpOptions } from '../engine/hub/http';
import { DEFAULT_HUB_URL } from '../engine/hub/download';
import { redactCredentials } from '../engine/hub/proxy';
import { UserError } from './errorReport';
import { HUB_TOKEN_ENV, HUB_URL_ENV } from './ids';

export { redactCredentials };

export type EnvLike = Readonly<Record<string, string | undefined>>;

/** The parts of VS Code's `http.*` settings that decide how requests leave the machine. */
export interface ProxySettings {
  /** http.proxy; '' = not set. */
  proxy: string;
  /** http.proxyStrictSSL. */
  strictSSL: boolean;
  /** http.noProxy: hosts reached directly. */
  noProxy: readonly string[];
  /** http.proxySupport: 'off' means extensions make direct connections. */
  support: string;
  /** http.proxyAuthorization: the Proxy-Authorization header value sent to the proxy; absent when not set. */
  authorization?: string;
}

export interface HubAccess {
  hubUrl: string;
  http: HttpOptions;
  /** Things worth a line in the log (a setting that cannot be honoured, where requests go). */
  notes: string[];
}

/** Reads `http.*` through a getter (vscode.WorkspaceConfiguration's `get` fits); malformed values fall back. */
export function readProxySettings(get: (key: string) => unknown): ProxySettings {
  const proxy = get('proxy');
  const strict = get('proxyStrictSSL');
  const noProxy = get('noProxy');
  const support = get('proxySupport');
  const authorization = get('proxyAuthorization');
  return {
    proxy: typeof proxy === 'string' ? proxy.trim() : '',
    strictSSL: typeof strict === 'boolean' ? strict : true,
    noProxy: Array.isArray(noProxy) ? noProxy.filter((h): h is string => typeof h === 'string') : [],
    support: typeof support === 'string' ? support : 'override',
    ...(typeof authorization === 'string' && authorization.trim() !== '' ? { authorization: authorization.trim() } : {}),
  };
}

export function hubUrlFrom(env: EnvLike): string {
  const raw = env[HUB_URL_ENV]?.trim();
  if (!raw) return DEFAULT_HUB_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`The environment variable ${HUB_URL_ENV} is "${raw}", which is not a URL: set it to an http(s) address such as https://huggingface.co, or unset it.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`The environment variable ${HUB_URL_ENV} is "${raw}": only http and https addresses are supported.`);
  }
  return raw.replace(/\/+$/, '');
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** NO_PROXY rules as curl reads them: `*`, `host`, `.suffix` / `*.suffix` (subdomains), optionally `:port`. */
export function bypassesProxy(target: URL, patterns: readonly string[]): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return patterns.some((raw) => {
    const pattern = raw.trim().toLowerCase();
    if (pattern === '') return false;
    if (pattern === '*') return true;
    // A bare IPv6 address has colons of its own; only "[addr]:port" or "host:port" carry a port.
    const bareIpv6 = !pattern.startsWith('[') && pattern.split(':').length > 2;
    const match = bareIpv6 ? null : /^(.*?)(?::(\d+))?$/.exec(pattern);
    const name = (match?.[1] ?? pattern).replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (match?.[2] !== undefined && match[2] !== port) return false;
    return host === name || host.endsWith(`.${name}`);
  });
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(/[,\s]+/).filter((s) => s !== '');
}

/** The proxy for requests to `target`, or undefined for a direct connection. */
export function proxyFor(target: string, settings: ProxySettings, env: EnvLike): string | undefined {
  const url = new URL(target);
  if (settings.support === 'off' || isLoopback(url.hostname)) return undefined;
  if (bypassesProxy(url, [...settings.noProxy, ...splitList(env.NO_PROXY ?? env.no_proxy)])) return undefined;
  if (settings.proxy !== '') return settings.proxy;
  const fromEnv =
    url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  return fromEnv?.trim() || undefined;
}

/** The hub client's connection options for the current settings and environment. */
export function hubAccess(settings: ProxySettings, env: EnvLike): HubAccess {
  const hubUrl = hubUrlFrom(env);
  const notes: string[] = [];
  const http: HttpOptions = {};
  const proxy = proxyFor(hubUrl, settings, env);
  if (proxy) {
    http.proxy = proxy;
    if (settings.authorization) http.proxyAuthorization = settings.authorization;
    const how = settings.authorization ? ', sending http.proxyAuthorization' : '';
    notes.push(`requests to ${new URL(hubUrl).host} go through the proxy ${redactCredentials(proxy)}${how}`);
  }
  if (!settings.strictSSL) {
    // Also for an http hub: its redirects may lead to https.
    http.strictSSL = false;
    notes.push('http.proxyStrictSSL is off: certificates are not verified');
  }
  const token = env[HUB_TOKEN_ENV]?.trim();
  // A token is a credential for huggingface.co: a test server or mirror named by the environment never gets it.
  if (token && hubUrl === DEFAULT_HUB_URL) http.token = token;
  return { hubUrl, http, notes };
}

import assert from 'node:assert/strict';
import { bypassesProxy, hubAccess, hubUrlFrom, proxyFor, readProxySettings, redactCredentials, type ProxySettings } from '../../src/extension/hubConnection';
import { UserError } from '../../src/extension/errorReport';

const settings = (extra: Partial<ProxySettings> = {}): ProxySettings => ({ proxy: '', strictSSL: true, noProxy: [], support: 'override', ...extra });
const HUB = 'https://huggingface.co';

describe('extension: hub connection from VS Code settings', () => {
  it('reads http.* settings, falling back for malformed values', () => {
    const values: Record<string, unknown> = {
      proxy: ' http://p:3128 ',
      proxyStrictSSL: false,
      noProxy: ['a', 3, 'b'],
      proxySupport: 'on',
      proxyAuthorization: ' Basic dTpw ',
    };
    assert.deepEqual(readProxySettings((k) => values[k]), {
      proxy: 'http://p:3128',
      strictSSL: false,
      noProxy: ['a', 'b'],
      support: 'on',
      authorization: 'Basic dTpw',
    });
    assert.deepEqual(readProxySettings(() => undefined), settings());
    assert.deepEqual(readProxySettings((k) => (k === 'proxyAuthorization' ? null : undefined)), settings(), 'VS Code reports an unset http.proxyAuthorization as null');
  });

  it('takes the hub address from ATTENTION_INSPECTOR_HUB_URL, else huggingface.co', () => {
    assert.equal(hubUrlFrom({}), HUB);
    assert.equal(hubUrlFrom({ ATTENTION_INSPECTOR_HUB_URL: ' http://127.0.0.1:8080/ ' }), 'http://127.0.0.1:8080');
    assert.throws(() => hubUrlFrom({ ATTENTION_INSPECTOR_HUB_URL: 'not a url' }), (err: unknown) => err instanceof UserError && /not a URL/.test(err.message));
    assert.throws(() => hubUrlFrom({ ATTENTION_INSPECTOR_HUB_URL: 'ftp://mirror' }), /only http and https/);
  });

  it('uses http.proxy, else the proxy environment variables VS Code itself falls back to', () => {
    assert.equal(proxyFor(HUB, settings({ proxy: 'http://set:1' }), { HTTPS_PROXY: 'http://env:2' }), 'http://set:1');
    assert.equal(proxyFor(HUB, settings(), { HTTPS_PROXY: 'http://env:2', HTTP_PROXY: 'http://plain:3' }), 'http://env:2');
    assert.equal(proxyFor(HUB, settings(), { http_proxy: 'http://plain:3' }), 'http://plain:3', 'https falls back to http_proxy');
    assert.equal(proxyFor('http://mirror.example', settings(), { HTTPS_PROXY: 'http://env:2' }), undefined, 'http targets use only http_proxy');
    assert.equal(proxyFor(HUB, settings(), {}), undefined);
    assert.equal(proxyFor(HUB, settings({ proxy: 'http://set:1', support: 'off' }), {}), undefined, 'http.proxySupport off: direct');
  });

  it('goes direct to loopback and to http.noProxy / NO_PROXY hosts', () => {
    const proxied = settings({ proxy: 'http://set:1' });
    assert.equal(proxyFor('http://127.0.0.1:9999', proxied, {}), undefined);
    assert.equal(proxyFor('http://localhost:9999', proxied, {}), undefined);
    assert.equal(proxyFor('http://[::1]:9999', proxied, {}), undefined);
    assert.equal(proxyFor(HUB, settings({ proxy: 'http://set:1', noProxy: ['huggingface.co'] }), {}), undefined);
    assert.equal(proxyFor(HUB, proxied, { NO_PROXY: 'example.com, .huggingface.co' }), undefined);
    assert.equal(proxyFor(HUB, proxied, { no_proxy: 'example.com' }), 'http://set:1');
    const url = new URL('https://cdn.huggingface.co');
    assert.ok(bypassesProxy(url, ['*']));
    assert.ok(bypassesProxy(url, ['huggingface.co']), 'a domain covers its subdomains');
    assert.ok(bypassesProxy(url, ['*.huggingface.co']));
    assert.ok(bypassesProxy(url, ['cdn.huggingface.co:443']));
    assert.ok(!bypassesProxy(url, ['cdn.huggingface.co:8443']));
    assert.ok(!bypassesProxy(url, ['face.co', '']));
    const v6 = new URL('http://[fd00::2]:8080');
    assert.ok(bypassesProxy(v6, ['fd00::2']));
    assert.ok(bypassesProxy(v6, ['[fd00::2]:8080']));
    assert.ok(!bypassesProxy(v6, ['[fd00::2]:80']));
  });

  it('maps the settings to the hub client options: proxy, certificate checks, token', () => {
    const proxied = hubAccess(settings({ proxy: 'http://user:secret@proxy:3128' }), {});
    assert.deepEqual(proxied.http, { proxy: 'http://user:secret@proxy:3128' });
    assert.equal(proxied.hubUrl, HUB);
    assert.ok(proxied.notes.some((n) => n.includes('http://user:***@proxy:3128') && !n.includes('secret')));

    const insecure = hubAccess(settings({ strictSSL: false }), {});
    assert.deepEqual(insecure.http, { strictSSL: false });
    assert.ok(insecure.notes.some((n) => /not verified/.test(n)));

    const insecureProxy = hubAccess(settings({ strictSSL: false, proxy: 'http://p:1' }), {});
    assert.deepEqual(insecureProxy.http, { proxy: 'http://p:1', strictSSL: false }, 'http.proxyStrictSSL applies through a proxy too');

    const local = hubAccess(settings({ proxy: 'http://p:1', authorization: 'Basic x' }), { ATTENTION_INSPECTOR_HUB_URL: 'http://127.0.0.1:1234', HF_TOKEN: 'hf_x' });
    assert.deepEqual(local.http, {}, 'a local hub: no proxy, no proxy credentials, no token');
    assert.equal(local.hubUrl, 'http://127.0.0.1:1234');

    assert.equal(hubAccess(settings(), { HF_TOKEN: ' hf_abc ' }).http.token, 'hf_abc');
  });

  it('sends http.proxyAuthorization to the proxy, and never logs it', () => {
    const secret = 'Basic c2VjcmV0OnNlY3JldA==';
    const access = hubAccess(settings({ proxy: 'http://proxy:3128', authorization: secret }), {});
    assert.deepEqual(access.http, { proxy: 'http://proxy:3128', proxyAuthorization: secret });
    assert.ok(access.notes.some((n) => n.includes('http.proxyAuthorization')));
    assert.ok(access.notes.every((n) => !n.includes(secret) && !n.includes('c2VjcmV0')), access.notes.join('; '));
    assert.equal(hubAccess(settings({ authorization: secret }), {}).http.proxyAuthorization, undefined, 'no proxy: nothing to authenticate to');
  });

  it('hides proxy passwords in the log', () => {
    assert.equal(redactCredentials('http://me:pw@proxy:8080'), 'http://me:***@proxy:8080');
    assert.equal(redactCredentials('me:pw@proxy:8080'), 'me:***@proxy:8080');
    assert.equal(redactCredentials('http://proxy:8080'), 'http://proxy:8080');
  });
});

/**
 * How the hub client connects: certificate checks (VS Code's http.proxyStrictSSL) with and without a proxy,
 * against an https stand-in for the hub with a self-signed certificate, and the Proxy-Authorization a
 * proxy may want (http.proxyAuthorization, or user:password in the proxy address). All on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listCachedModels } from '../../../src/engine/hub/cache';
import { downloadModel, type DownloadOptions } from '../../../src/engine/hub/download';
import { rejectsWith } from '../../helpers/assertions';
import { startFakeHub, startFakeProxy, type FakeHub, type FakeProxy, type RepoFile } from '../../helpers/hfHubServer';
import { selfSignedCertificate } from '../../helpers/tlsSelfSigned';

const ID = 'test-org/tiny';
const FILES = ['config.json', 'model.safetensors'];
const REPO: RepoFile[] = [
  { path: 'config.json', content: new TextEncoder().encode('{"model_type":"gpt2"}') },
  { path: 'model.safetensors', content: new Uint8Array(4096).fill(7) },
];
const SECRET = 'Basic dXNlcjpzM2NyM3Q='; // user:s3cr3t
const CERTIFICATE_REFUSED = /certificate of https:\/\/127\.0\.0\.1:\d+ was not accepted \(self[- ]signed certificate\).*http\.proxyStrictSSL/;

async function startHub(tls?: { cert: string; key: string }): Promise<FakeHub> {
  const hub = await startFakeHub({ tls });
  hub.repos.set(ID, new Map([['main', REPO]]));
  return hub;
}

describe('hub client connections: certificates and proxy authentication', () => {
  let secureHub: FakeHub;
  let plainHub: FakeHub;
  let proxy: FakeProxy;
  let authProxy: FakeProxy;
  let cacheDir: string;

  before(async () => {
    secureHub = await startHub(selfSignedCertificate());
    plainHub = await startHub();
    proxy = await startFakeProxy();
    authProxy = await startFakeProxy({ authorization: SECRET });
  });
  after(async () => {
    await Promise.all([secureHub.close(), plainHub.close(), proxy.close(), authProxy.close()]);
  });
  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'ai-hub-connection-'));
    proxy.tunnels.length = 0;
    authProxy.tunnels.length = 0;
  });
  afterEach(() => rm(cacheDir, { recursive: true, force: true }));

  const options = (hub: FakeHub, extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    cacheDir,
    id: ID,
    hubUrl: hub.url,
    files: FILES,
    retries: 0,
    ...extra,
  });

  it('refuses a self-signed hub certificate by default, directly and through a proxy', async () => {
    await assert.rejects(downloadModel(options(secureHub)), rejectsWith('BAD_INPUT', CERTIFICATE_REFUSED));
    await assert.rejects(downloadModel(options(secureHub, { proxy: proxy.url, strictSSL: true })), rejectsWith('BAD_INPUT', CERTIFICATE_REFUSED));
    assert.deepEqual(proxy.tunnels, [new URL(secureHub.url).host], 'the refusal came from TLS inside the tunnel');
    assert.deepEqual(await listCachedModels(cacheDir), []);
  });

  it('skips the certificate check with strictSSL false, directly and through a proxy', async () => {
    const direct = await downloadModel(options(secureHub, { strictSSL: false }));
    assert.equal(direct.fromCache, false);
    await rm(cacheDir, { recursive: true, force: true });
    const tunnelled = await downloadModel(options(secureHub, { strictSSL: false, proxy: proxy.url }));
    assert.equal(tunnelled.fromCache, false);
    assert.ok(proxy.tunnels.length >= 2, 'the listing and the files went through the proxy');
  });

  it('says a proxy wants authentication (407) instead of treating it as offline', async () => {
    await assert.rejects(
      downloadModel(options(plainHub, { proxy: authProxy.url })),
      rejectsWith('BAD_INPUT', /the proxy 127\.0\.0\.1:\d+ wants authentication \(HTTP 407\): set http\.proxyAuthorization/),
    );
    const wrong = downloadModel(options(plainHub, { proxy: authProxy.url, proxyAuthorization: 'Basic d3Jvbmc6d3Jvbmc=' }));
    await assert.rejects(wrong, (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /refused the credentials it was given \(HTTP 407\)/);
      assert.ok(!err.message.includes('d3Jvbmc6d3Jvbmc='), 'the credential stays out of the message');
      return true;
    });
    assert.deepEqual(authProxy.tunnels, []);
  });

  it('sends http.proxyAuthorization, or the proxy URL credentials, to the proxy for http and https hubs', async () => {
    const viaHeader = await downloadModel(options(plainHub, { proxy: authProxy.url, proxyAuthorization: SECRET }));
    assert.equal(viaHeader.fromCache, false);
    await rm(cacheDir, { recursive: true, force: true });
    const port = new URL(authProxy.url).port;
    const viaUrl = await downloadModel(options(plainHub, { proxy: `http://user:s3cr3t@127.0.0.1:${port}` }));
    assert.equal(viaUrl.fromCache, false);
    await rm(cacheDir, { recursive: true, force: true });
    const secure = await downloadModel(options(secureHub, { proxy: authProxy.url, proxyAuthorization: SECRET, strictSSL: false }));
    assert.equal(secure.fromCache, false);
    assert.ok(authProxy.tunnels.includes(new URL(plainHub.url).host) && authProxy.tunnels.includes(new URL(secureHub.url).host));
  });
});

import assert from 'node:assert/strict';
import { contentSecurityPolicy, createNonce, panelHtml } from '../../src/extension/panelHtml';

const CSP_SOURCE = 'https://*.vscode-cdn.net';

function render(nonce = createNonce(), title = 'Attention: notes.md:3–7'): string {
  return panelHtml({
    cspSource: CSP_SOURCE,
    nonce,
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
    title,
  });
}

function cspOf(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'the page has a CSP meta tag');
  return match[1];
}

describe('extension: panel HTML', () => {
  it('has a strict CSP: default-src none, scripts only with the nonce, resources only from the webview origin', () => {
    const nonce = createNonce();
    const csp = cspOf(render(nonce));
    const directives = csp.split(';').map((d) => d.trim());
    assert.equal(directives[0], "default-src 'none'");
    assert.ok(directives.includes(`script-src 'nonce-${nonce}'`));
    assert.ok(directives.includes(`style-src ${CSP_SOURCE} 'nonce-${nonce}'`));
    assert.ok(directives.includes(`img-src ${CSP_SOURCE} blob: data:`));
    assert.ok(directives.includes(`font-src ${CSP_SOURCE}`));
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval') && !csp.includes('*;'));
    assert.equal(csp, contentSecurityPolicy(CSP_SOURCE, nonce));
  });

  it('uses a fresh nonce on every render', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9+/]{24}$/);
  });

  it('has no script without the nonce and no inline script', () => {
    const nonce = createNonce();
    const html = render(nonce);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attrs, body] of scripts) {
      assert.ok(attrs.includes(`nonce="${nonce}"`), 'the script carries the nonce');
      assert.match(attrs, /src="[^"]+\/dist\/webview\.js"/);
      assert.equal(body.trim(), '', 'no inline code');
    }
    assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handlers');
    assert.ok(!/<style\b/.test(html), 'no inline style block');
  });

  it('mounts into #app and loads the panel stylesheet', () => {
    const html = render();
    assert.ok(html.includes('<div id="app"></div>'));
    assert.match(html, /<link rel="stylesheet" href="[^"]+\/media\/panel\.css">/);
  });

  it('escapes the title', () => {
    const html = render(createNonce(), '<img src=x onerror=alert(1)> & "q"');
    assert.ok(html.includes('<title>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;</title>'));
    assert.ok(!html.includes('<img'));
  });
});

/**
 * Entry of the webview bundle (dist/webview.js). The host page provides <div id="app"> and loads this one
 * script with a nonce; everything else (DOM, styles via media/panel.css classes) is built from here.
 */
import { connectHost } from './hostApi';
import { PanelController } from './panelController';

function boot(): void {
  let root = document.getElementById('app');
  if (!root) {
    root = document.createElement('div');
    root.id = 'app';
    document.body.append(root);
  }
  const controller = new PanelController(root, connectHost());
  controller.start();
  window.addEventListener('pagehide', () => controller.dispose(), { once: true });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();

#!/usr/bin/env node
// `npm run demo`: a production build packed into a .vsix, installed into a VS Code of its own that opens the
// sample workspace (samples/) with the shared stories260K model configured.
//   - desktop VS Code when `code` is on PATH: a separate profile under .cache/demo/ (your own settings and
//     extensions stay untouched);
//   - otherwise (or with --server) the local VS Code server on 127.0.0.1; open the printed URL in a browser.
// Ctrl+C stops everything it started.
//
//   node scripts/vscode/demo.mjs [--server] [--port N] [--skip-build]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { packageExtension } from './package.mjs';
import { QUIET_SETTINGS, startServer } from './server.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SAMPLES = path.join(ROOT, 'samples');
const DEMO_CACHE = path.join(ROOT, '.cache', 'demo');

/** The model the demo configures: the extension's own variable, then the tests' one, then the shared folder. */
function modelDir() {
  const dir = process.env.ATTENTION_INSPECTOR_MODEL_DIR ?? process.env.STORIES260K_DIR ?? path.resolve(ROOT, '..', 'shared', 'models', 'stories260K');
  return path.resolve(dir);
}

function onPath(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function demoSettings(model) {
  return { ...QUIET_SETTINGS, 'attentionInspector.modelFolder': model };
}

/** Resolves on the first of SIGINT/SIGTERM/SIGHUP, or when `ended` settles. */
function untilStopped(ended) {
  return new Promise((resolve) => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const done = (why) => {
      for (const s of signals) process.off(s, onSignal);
      resolve(why);
    };
    const onSignal = (signal) => done(signal);
    for (const s of signals) process.on(s, onSignal);
    ended.then(() => done('ended'), () => done('ended'));
  });
}

async function runServer(vsix, model, port) {
  const server = await startServer({
    vsix: [vsix],
    port,
    settings: demoSettings(model),
    env: { ATTENTION_INSPECTOR_MODEL_DIR: model },
    log: (line) => console.log(line),
  });
  const exited = new Promise((resolve) => {
    const timer = setInterval(() => {
      try {
        process.kill(server.pid, 0);
      } catch {
        clearInterval(timer);
        resolve();
      }
    }, 1000);
    timer.unref();
  });
  console.log(`\nAttention Inspector demo (VS Code server ${server.url}); open in a browser:\n\n  ${server.folderUrl(SAMPLES)}\n`);
  console.log('Select text in a sample, then F1 → "Inspect Attention". Ctrl+C stops the server.');
  const why = await untilStopped(exited);
  if (why === 'ended') console.error('demo: the VS Code server exited');
  await server.stop();
  console.log('demo: stopped');
  process.exitCode = why === 'ended' ? 1 : 0;
}

/** Desktop VS Code with a profile of its own, so the demo neither uses nor changes the person's setup. */
async function runDesktop(vsix, model) {
  const userDataDir = path.join(DEMO_CACHE, 'desktop-user-data');
  const extensionsDir = path.join(DEMO_CACHE, 'desktop-extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(demoSettings(model), null, 2)}\n`);
  const profile = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const install = spawnSync('code', [...profile, '--install-extension', vsix, '--force'], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error(`code --install-extension ${vsix} failed (exit code ${install.status})`);
  // --wait keeps the launcher alive until the window closes; it runs in a process group of its own that
  // Ctrl+C ends.
  const child = spawn('code', [...profile, '--new-window', '--wait', SAMPLES], {
    detached: true,
    stdio: 'inherit',
    env: { ...process.env, ATTENTION_INSPECTOR_MODEL_DIR: model },
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  console.log(`\nAttention Inspector demo in desktop VS Code (profile ${path.relative(ROOT, DEMO_CACHE)}/). Close the window or press Ctrl+C to stop.`);
  const why = await untilStopped(exited);
  if (why !== 'ended') {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  console.log('demo: stopped');
}

async function main() {
  const { values } = parseArgs({ options: { server: { type: 'boolean' }, port: { type: 'string' }, 'skip-build': { type: 'boolean' } } });
  const model = modelDir();
  if (!existsSync(model)) console.warn(`demo: the model folder ${model} does not exist; set ATTENTION_INSPECTOR_MODEL_DIR to a stories260K folder`);
  const packaged = packageExtension({ out: path.join(DEMO_CACHE, 'attention-inspector.vsix'), build: !values['skip-build'], stdio: 'pipe' });
  console.log(`demo: packaged ${path.relative(ROOT, packaged.file)} (${(packaged.bytes / 1024 / 1024).toFixed(2)} MiB) in ${packaged.seconds.toFixed(1)} s; model ${model}`);
  const desktop = !values.server && onPath('code');
  if (desktop) await runDesktop(packaged.file, model);
  else await runServer(packaged.file, model, values.port === undefined ? 0 : Number(values.port));
}

main().catch((err) => {
  console.error(`demo: ${err.message}`);
  process.exitCode = 1;
});

// Starts the real VS Code server (see install-server.mjs) on loopback with a fresh profile, for the
// end-to-end tests and the demo:
//
//   const server = await startServer({ vsix: ['x.vsix'], smokeTestDriver: true });
//   ... open server.url in a browser ...
//   await server.stop();
//
// The server runs in its own process group (it starts extension hosts and other helpers that otherwise
// outlive it); stop() kills the whole group and deletes the profile. Groups still alive when this process
// exits or gets SIGINT/SIGTERM/SIGHUP are killed too.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { URLSearchParams } from 'node:url';
import { ensureServerInstalled } from './install-server.mjs';

export const HOST = '127.0.0.1';

/** Without these a welcome page, a chat panel and update/telemetry traffic compete for focus and time. */
export const QUIET_SETTINGS = Object.freeze({
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  // The samples live inside the project's git repository; VS Code would offer to open it.
  'git.openRepositoryInParentFolders': 'never',
});

const GROUP_LEADER = path.join(import.meta.dirname, 'group-leader.mjs');
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 3_000;

/** Servers started by this process and not yet stopped: what the exit and signal handlers clean up. */
const running = new Set();

/**
 * @param {object} [options]
 * @param {string[]} [options.vsix] .vsix files to install into the fresh profile before the server starts
 * @param {boolean} [options.smokeTestDriver] pass --enable-smoke-test-driver (needed for extension tests)
 * @param {Record<string, unknown>} [options.settings] user settings on top of QUIET_SETTINGS
 * @param {Record<string, string>} [options.env] extra environment for the server and its extension hosts
 * @param {number} [options.port] a fixed port (default: one the system picks)
 * @param {(line: string) => void} [options.log] where progress lines go (default: nowhere)
 */
export async function startServer(options = {}) {
  const { vsix = [], smokeTestDriver = false, settings = {}, env = {}, port = 0, log = () => {} } = options;
  // A first run installs the server (minutes): its progress prints even when the caller wants no log.
  const { node, serverMain } = await ensureServerInstalled(options.log ? { log } : {});
  const profile = createProfile({ ...QUIET_SETTINGS, ...settings });
  const server = { profile, pid: undefined, stopped: false };
  running.add(server);
  try {
    const serverEnv = { ...process.env, ...profile.env, ...env };
    for (const file of vsix) installExtension(node, serverMain, profile, serverEnv, file, log);
    const started = performance.now();
    const child = spawnServer(node, serverMain, profile, serverEnv, port, smokeTestDriver);
    server.pid = child.pid;
    const boundPort = await waitForListening(child, profile.logFile);
    await waitForHttp(boundPort, child, profile.logFile);
    const url = `http://${HOST}:${boundPort}`;
    log(`vscode-server: listening on ${url} after ${Math.round(performance.now() - started)} ms (pid ${child.pid}, profile ${profile.dir})`);
    return Object.assign(server, {
      url,
      host: HOST,
      port: boundPort,
      /** The vscode-remote URI of a path on this machine, as the workbench's payload wants it. */
      remoteUri: (absPath) => `vscode-remote://${HOST}:${boundPort}${toPosix(absPath)}`,
      /** The workbench URL that opens `folder`, with an optional payload ([key, value] pairs). */
      folderUrl: (folder, payload) => workbenchUrl(url, folder, payload),
      stop: () => stopServer(server),
    });
  } catch (err) {
    await stopServer(server);
    throw err;
  }
}

/** A temporary home for everything the server writes: profile, extensions, XDG folders and its log. */
function createProfile(settings) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ai-vscode-'));
  const sub = (name) => {
    const p = path.join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const userDataDir = sub('user-data');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return {
    dir,
    userDataDir,
    serverDataDir: sub('server-data'),
    extensionsDir: sub('extensions'),
    logFile: path.join(dir, 'server.log'),
    // Nothing may land in the real home folder.
    env: { XDG_CONFIG_HOME: sub('xdg/config'), XDG_DATA_HOME: sub('xdg/data'), XDG_CACHE_HOME: sub('xdg/cache') },
  };
}

function profileArgs(profile) {
  return ['--user-data-dir', profile.userDataDir, '--server-data-dir', profile.serverDataDir, '--extensions-dir', profile.extensionsDir];
}

function installExtension(node, serverMain, profile, env, file, log) {
  const started = performance.now();
  const res = spawnSync(node, [serverMain, '--install-extension', path.resolve(file), '--force', '--accept-server-license-terms', ...profileArgs(profile)], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim();
  if (res.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${file} into the VS Code server failed (${res.error?.message ?? `exit code ${res.status}`}):\n${output}`);
  }
  log(`vscode-server: installed ${path.basename(file)} in ${Math.round(performance.now() - started)} ms`);
}

function spawnServer(node, serverMain, profile, env, port, smokeTestDriver) {
  const args = [
    serverMain,
    '--host', HOST,
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--disable-telemetry',
    // A closed browser tab should not keep its extension host alive for the default three hours.
    '--reconnection-grace-time', '5',
    ...profileArgs(profile),
    ...(smokeTestDriver ? ['--enable-smoke-test-driver'] : []),
  ];
  // detached = setsid: the server and everything it starts share a process group that stop() kills at once;
  // its leader also ends the group should this process die without cleaning up.
  const child = spawn(process.execPath, [GROUP_LEADER, String(process.pid), profile.dir, node, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const logStream = createWriteStream(profile.logFile);
  child.stdout.pipe(logStream, { end: false });
  child.stderr.pipe(logStream, { end: false });
  child.on('close', () => logStream.end());
  return child;
}

/** The server prints the port it bound (port 0 lets the system pick a free one, with no race). */
function waitForListening(child, logFile) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(`did not start listening within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const onData = (chunk) => {
      seen += chunk.toString('utf8');
      const match = seen.match(/Extension host agent listening on (\d+)/);
      if (match) done(() => resolve(Number(match[1])));
    };
    const onExit = (code, signal) => fail(`exited before listening (${signal ?? `exit code ${code}`})`);
    function done(then) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      then();
    }
    function fail(why) {
      done(() => reject(new Error(`VS Code server ${why}; its output:\n${seen || readLog(logFile)}`)));
    }
    child.stdout.on('data', onData);
    child.on('exit', onExit);
  });
}

async function waitForHttp(port, child, logFile) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if ((await httpStatus(`http://${HOST}:${port}/`)) !== undefined) return;
    await sleep(100);
  }
  throw new Error(`VS Code server on port ${port} never answered HTTP; its log:\n${readLog(logFile)}`);
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.setTimeout(2000, () => req.destroy());
  });
}

function workbenchUrl(base, folder, payload) {
  const params = new URLSearchParams({ folder: toPosix(path.resolve(folder)) });
  if (payload) params.set('payload', JSON.stringify(payload));
  return `${base}/?${params.toString()}`;
}

async function stopServer(server) {
  if (server.stopped) return;
  server.stopped = true;
  running.delete(server);
  if (server.pid !== undefined) {
    killGroup(server.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (groupAlive(server.pid) && Date.now() < deadline) await sleep(50);
    killGroup(server.pid, 'SIGKILL');
  }
  rmSync(server.profile.dir, { recursive: true, force: true, maxRetries: 3 });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last part of the server's log, for error messages. */
export function readLog(file, lines = 60) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function toPosix(p) {
  return p.split(path.sep).join('/');
}

/** Synchronous on purpose: 'exit' handlers cannot wait, and a signal may be followed by exit at once. */
function killAllNow() {
  for (const server of running) {
    server.stopped = true;
    if (server.pid !== undefined) killGroup(server.pid, 'SIGKILL');
    rmSync(server.profile.dir, { recursive: true, force: true });
  }
  running.clear();
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, function onSignal() {
    killAllNow();
    // When nobody else handles the signal, let it end the process the way it would have without us.
    if (process.listenerCount(signal) === 1) {
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    }
  });
}

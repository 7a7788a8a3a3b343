// Leads the process group the VS Code server runs in (server.mjs starts it with setsid) and ends the whole
// group when the process that started it is gone, even if that one was killed with SIGKILL and could run no
// cleanup of its own (a CI timeout, say): otherwise the server and its extension hosts would run on. The
// server's temporary profile folder goes with it.
//
//   node group-leader.mjs <parent pid> <folder to delete then> <command> [args...]
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { setInterval } from 'node:timers';

const [parentPid, leftover, command, ...args] = process.argv.slice(2);
const POLL_MS = 1000;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function endGroup() {
  try {
    rmSync(leftover, { recursive: true, force: true, maxRetries: 3 });
  } finally {
    process.kill(-process.pid, 'SIGKILL');
  }
}

const child = spawn(command, args, { stdio: 'inherit' });
child.on('error', (err) => {
  console.error(`group-leader: cannot start ${command}: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
setInterval(() => {
  if (!alive(Number(parentPid))) endGroup();
}, POLL_MS);

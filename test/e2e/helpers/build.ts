/** Builds the extension the way `npm run build` does, for e2e files run on their own. */
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from './paths';

export function buildExtension(production = false): void {
  const args = ['esbuild.mjs', ...(production ? ['--production'] : [])];
  const res = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${res.stdout}${res.stderr}`);
}

/**
 * The .vsix the UI tests install: built once per mocha process the way `npm run package` builds it
 * (production bundles, vsce), so the tests exercise exactly what ships.
 */
import path from 'node:path';
import { packageExtension } from '../../../scripts/vscode/package.mjs';
import { E2E_CACHE } from './paths';

export interface Packaged {
  file: string;
  bytes: number;
  files: { name: string; size: number }[];
  seconds: number;
}

let packaged: Packaged | undefined;

export function packagedVsix(): Packaged {
  packaged ??= packageExtension({ out: path.join(E2E_CACHE, 'attention-inspector.vsix'), stdio: 'pipe' });
  return packaged;
}

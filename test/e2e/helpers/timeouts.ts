/** Hook time limits that allow for a first run installing the VS Code server (about 3 minutes cold). */
import { isInstalled } from '../../../scripts/vscode/install-server.mjs';

const INSTALL_ALLOWANCE_MS = 600_000;

export function allowingServerInstall(ms: number): number {
  return isInstalled() ? ms : ms + INSTALL_ALLOWANCE_MS;
}

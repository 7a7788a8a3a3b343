/**
 * Writes `attentionInspector.*` settings where they take effect: a workspace value hides a user value, so
 * a setting is written where it already lives, and a folder-level value that would still hide it is named.
 */
import * as vscode from 'vscode';
import { CONFIG_SECTION } from './ids';
import type { Reporter } from './output';

export async function writeSetting(key: string, value: string, reporter: Reporter): Promise<void> {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const where = config.inspect<string>(key);
  const target = where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(key, value, target);
  reporter.info(`${key} set to ${value} (${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} settings)`);
  if (where?.workspaceFolderValue !== undefined && where.workspaceFolderValue !== value) {
    reporter.notify('warning', `A folder setting of ${CONFIG_SECTION}.${key} (${where.workspaceFolderValue}) still overrides the value you chose (${value}): remove it from the folder's .vscode/settings.json.`);
  }
}

/** Removes a setting from user and workspace settings; returns where it was set (e.g. ["user"]). */
export async function clearSetting(key: string, reporter: Reporter): Promise<string[]> {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const where = config.inspect<string>(key);
  const cleared: string[] = [];
  if (where?.workspaceValue) {
    await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
    cleared.push('workspace');
  }
  if (where?.globalValue) {
    await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    cleared.push('user');
  }
  if (cleared.length > 0) reporter.info(`${key} cleared (${cleared.join(' and ')} settings)`);
  if (where?.workspaceFolderValue) {
    reporter.notify('warning', `A folder setting of ${CONFIG_SECTION}.${key} (${where.workspaceFolderValue}) still takes effect: remove it from the folder's .vscode/settings.json.`);
  }
  return cleared;
}

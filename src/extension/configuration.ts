/** Reads the settings, the model choice and the hub connection from VS Code (the parsing and the rules are pure). */
import os from 'node:os';
import * as vscode from 'vscode';
import { hubAccess, readProxySettings, type HubAccess } from './hubConnection';
import { CONFIG_SECTION, MODEL_DIR_ENV } from './ids';
import { resolveModel, type ModelChoice } from './modelResolver';
import { parseSettings, type InspectorSettings } from './settings';

export function readSettings(): InspectorSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  return parseSettings((key) => config.get<unknown>(key));
}

function firstLocalWorkspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((folder) => folder.uri.scheme === 'file')?.uri.fsPath;
}

export function currentModelChoice(): ModelChoice {
  const settings = readSettings();
  return resolveModel({
    folderSetting: settings.modelFolder,
    env: process.env[MODEL_DIR_ENV],
    modelSetting: settings.model,
    workspaceFolder: firstLocalWorkspaceFolder(),
    home: os.homedir(),
  });
}

/** VS Code's proxy settings (`http.proxy`, `http.proxyStrictSSL`, `http.proxyAuthorization`, …) as the hub client's options, read now. */
export function currentHubAccess(): HubAccess {
  const http = vscode.workspace.getConfiguration('http');
  return hubAccess(
    readProxySettings((key) => http.get<unknown>(key)),
    process.env,
  );
}

export function workspaceFolderUri(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

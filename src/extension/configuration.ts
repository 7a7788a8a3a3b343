/** Reads the settings and the model choice from VS Code (the parsing and the resolution order are pure). */
import os from 'node:os';
import * as vscode from 'vscode';
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
  return resolveModel({
    setting: readSettings().modelFolder,
    env: process.env[MODEL_DIR_ENV],
    // The built-in model (stories260K, downloaded on first use) arrives with the model manager.
    builtInDir: undefined,
    workspaceFolder: firstLocalWorkspaceFolder(),
    home: os.homedir(),
  });
}

export function workspaceFolderUri(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

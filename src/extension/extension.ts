/**
 * Entry point: creates the parts and wires them together; every disposable goes to context.subscriptions.
 * The engine (a worker thread) lives for the extension's lifetime and is shut down in deactivate.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { EngineClient } from '../engine/client';
import { ModelFolderChooser } from './chooseModelFolder';
import { registerCommands } from './commands';
import { currentHubAccess, readSettings } from './configuration';
import { registerCursorSync } from './cursorSync';
import { TokenHighlighter } from './decorations';
import { PngExporter } from './exportPng';
import { registerHoverProvider } from './hoverProvider';
import { CONFIG_SECTION, HUB_CACHE_FOLDER } from './ids';
import { InspectionController } from './inspectionController';
import { ModelManager } from './manageModels';
import { ModelDownloads } from './modelDownloads';
import { ModelFetcher } from './modelFetcher';
import { ModelLoader } from './modelLoader';
import { ModelProvider } from './modelProvider';
import { Reporter, type MessageAction, type ReportedMessage } from './output';
import type { PanelDelegate } from './panel';
import { PanelManager } from './panelManager';
import { RestoreRecords } from './restoreRecords';
import { ModelPicker } from './selectModel';
import { panelSettings } from './settings';
import { ModelStatusBar } from './statusBar';

/** What activate returns (vscode.extensions.getExtension(id).exports): lets scripts and tests observe messages. */
export interface AttentionInspectorApi {
  /** Messages shown to the person, newest last (at most 100), with the engine's error code for errors. */
  recentMessages(): readonly ReportedMessage[];
}

let engine: EngineClient | undefined;

export function activate(context: vscode.ExtensionContext): AttentionInspectorApi {
  const client = new EngineClient();
  engine = client;
  const reporter = new Reporter();
  const statusBar = new ModelStatusBar();
  const highlighter = new TokenHighlighter();
  const delegate: PanelDelegate = {
    rerun: (panel) => void controller.rerun(panel),
    revealToken: (panel, index) => void controller.revealToken(panel, index),
    savePng: (_panel, image) => void exporter.saveFromPanel(image),
  };
  const panels = new PanelManager({ extensionUri: context.extensionUri, settings: () => panelSettings(readSettings()), delegate, reporter });
  const downloads = new ModelDownloads(path.join(context.globalStorageUri.fsPath, HUB_CACHE_FOLDER), currentHubAccess, (line) => reporter.info(line));
  const fetcher = new ModelFetcher(downloads, reporter);
  const loader = new ModelLoader(client, reporter, statusBar);
  const openModelSetting: MessageAction = {
    title: 'Open Setting',
    run: () => void vscode.commands.executeCommand('workbench.action.openSettings', `${CONFIG_SECTION}.model`),
  };
  const models = new ModelProvider({ downloads, fetcher, loader, reporter, statusBar, openModelSetting });
  const controller = new InspectionController({
    engine: client,
    panels,
    reporter,
    records: new RestoreRecords(context.workspaceState),
    statusBar,
    highlighter,
    models,
    settings: readSettings,
  });
  const exporter = new PngExporter(panels, reporter);
  const chooser = new ModelFolderChooser(loader, reporter, models);
  const picker = new ModelPicker({ downloads, fetcher, loader, provider: models, chooser, reporter });
  const manager = new ModelManager(downloads, loader, models, reporter);
  const refreshStatusBar = (): void => {
    models.refreshStatusBar().then(undefined, (err: unknown) => reporter.warn(`could not show the model in the status bar: ${String(err)}`));
  };
  refreshStatusBar();

  context.subscriptions.push(
    reporter,
    statusBar,
    highlighter,
    panels,
    controller,
    ...registerCommands({ controller, exporter, chooser, picker, manager, reporter }),
    registerHoverProvider(controller),
    registerCursorSync(controller),
    panels.registerSerializer((panel, source) => void controller.restore(panel, source)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(CONFIG_SECTION)) return;
      panels.broadcastSettings();
      refreshStatusBar();
    }),
  );
  return { recentMessages: () => reporter.recentMessages() };
}

export async function deactivate(): Promise<void> {
  const client = engine;
  engine = undefined;
  await client?.dispose();
}

/** The command handlers: argument checks and the editor's selection; the work happens in the controllers. */
import * as vscode from 'vscode';
import type { ModelFolderChooser } from './chooseModelFolder';
import { parseInspectArgs, type InspectArgs } from './commandArgs';
import { openDocument, wholeDocument } from './documents';
import { UserError } from './errorReport';
import type { PngExporter } from './exportPng';
import { COMMANDS } from './ids';
import type { InspectSummary } from './inspection';
import type { InspectionController } from './inspectionController';
import type { ModelManager } from './manageModels';
import type { Reporter } from './output';
import type { ModelPicker } from './selectModel';

export interface CommandDeps {
  controller: InspectionController;
  exporter: PngExporter;
  chooser: ModelFolderChooser;
  picker: ModelPicker;
  manager: ModelManager;
  reporter: Reporter;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.inspect, (arg?: unknown) => inspectCommand(deps, arg)),
    vscode.commands.registerCommand(COMMANDS.exportPng, (arg?: unknown) => deps.exporter.exportCommand(arg)),
    vscode.commands.registerCommand(COMMANDS.chooseModelFolder, (arg?: unknown) => deps.chooser.choose(arg)),
    vscode.commands.registerCommand(COMMANDS.selectModel, (arg?: unknown) => deps.picker.select(arg)),
    vscode.commands.registerCommand(COMMANDS.manageModels, () => deps.manager.manage()),
  ];
}

/** attentionInspector.inspect: the summary of the result, or undefined when cancelled or failed (reported). */
async function inspectCommand(deps: CommandDeps, arg: unknown): Promise<InspectSummary | undefined> {
  try {
    const parsed = parseInspectArgs(arg);
    if (!parsed.ok) throw new UserError(`Inspect Attention: ${parsed.error}`);
    const { document, range } = await resolveTarget(parsed.value, deps.reporter);
    return await deps.controller.inspect({ document, range, onTooLong: parsed.value.truncate ? 'truncate' : 'offer' });
  } catch (err) {
    deps.reporter.report(err, 'Inspect Attention');
    return undefined;
  }
}

async function resolveTarget(args: InspectArgs, reporter: Reporter): Promise<{ document: vscode.TextDocument; range: vscode.Range }> {
  let document: vscode.TextDocument;
  let range: vscode.Range;
  const given = args.range ? new vscode.Range(args.range[0], args.range[1], args.range[2], args.range[3]) : undefined;
  if (args.uri !== undefined) {
    document = await openDocument(args.uri);
    range = given ?? wholeDocument(document);
  } else {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new UserError('Open a file and select the text to inspect.');
    document = editor.document;
    range = given ?? editor.selection;
  }
  range = document.validateRange(range);
  if (!range.isEmpty) return { document, range };
  // An empty selection means "this line": say so, since the panel then shows more than was selected.
  const line = document.lineAt(range.start.line);
  if (line.text.length === 0) throw new UserError(`Nothing is selected and line ${line.lineNumber + 1} is empty: select the text to inspect.`);
  reporter.notify('info', `Nothing was selected, so Attention Inspector inspects line ${line.lineNumber + 1}.`);
  return { document, range: line.range };
}

/**
 * Which model to use, in this order: the `attentionInspector.modelFolder` setting, the
 * ATTENTION_INSPECTOR_MODEL_DIR environment variable (both a folder on disk), then the
 * `attentionInspector.model` setting (a model from the Hugging Face hub, downloaded on first use), whose
 * default is the built-in stories260K. A local folder wins so that tests, scripts and offline machines
 * never reach for the network. Pure, so the order and the path rules are tested.
 */
import path from 'node:path';
import { BUILT_IN_MODEL, parseModelSpec, type HubModelSpec } from './modelSpec';

export type FolderOrigin = 'folder-setting' | 'environment';
export type HubOrigin = 'model-setting' | 'built-in';
export type ModelOrigin = FolderOrigin | HubOrigin;

export type ModelChoice =
  | { kind: 'folder'; dir: string; origin: FolderOrigin }
  | { kind: 'hub'; spec: HubModelSpec; origin: HubOrigin }
  /** The model setting holds something that is not a model id; `problem` says why. */
  | { kind: 'invalid'; value: string; problem: string };

export interface ModelResolverInput {
  /** attentionInspector.modelFolder ('' = not set). */
  folderSetting: string;
  env: string | undefined;
  /** attentionInspector.model ('' = the built-in model). */
  modelSetting: string;
  /** First workspace folder on disk: relative settings are relative to it. */
  workspaceFolder: string | undefined;
  home: string;
}

/** "~/models/x" → home-relative; "models/x" → relative to the workspace folder (or left to the engine to reject). */
export function expandFolder(raw: string, base: string | undefined, home: string): string {
  const trimmed = raw.trim();
  if (trimmed === '~') return home;
  if (trimmed.startsWith('~/') || trimmed.startsWith('~\\')) return path.join(home, trimmed.slice(2));
  if (path.isAbsolute(trimmed) || base === undefined) return path.normalize(trimmed);
  return path.resolve(base, trimmed);
}

export function resolveModel(input: ModelResolverInput): ModelChoice {
  if (input.folderSetting.trim() !== '') {
    return { kind: 'folder', dir: expandFolder(input.folderSetting, input.workspaceFolder, input.home), origin: 'folder-setting' };
  }
  const env = input.env?.trim();
  if (env) return { kind: 'folder', dir: expandFolder(env, process.cwd(), input.home), origin: 'environment' };
  const value = input.modelSetting.trim() || BUILT_IN_MODEL;
  const parsed = parseModelSpec(value);
  if (!parsed.ok) return { kind: 'invalid', value, problem: parsed.error };
  return { kind: 'hub', spec: parsed.value, origin: parsed.value.name === BUILT_IN_MODEL ? 'built-in' : 'model-setting' };
}

export function describeOrigin(origin: ModelOrigin): string {
  switch (origin) {
    case 'folder-setting':
      return 'from the setting attentionInspector.modelFolder';
    case 'environment':
      return 'from the environment variable ATTENTION_INSPECTOR_MODEL_DIR';
    case 'model-setting':
      return 'from the setting attentionInspector.model';
    case 'built-in':
      return 'the built-in model';
  }
}

/** The short name to show for a choice (a folder's own name until the engine reports the model's). */
export function choiceName(choice: ModelChoice): string {
  switch (choice.kind) {
    case 'folder':
      return path.basename(choice.dir) || choice.dir;
    case 'hub':
      return choice.spec.name;
    case 'invalid':
      return choice.value;
  }
}

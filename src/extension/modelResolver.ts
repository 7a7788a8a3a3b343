/**
 * Which model folder to use: the `attentionInspector.modelFolder` setting, then the
 * ATTENTION_INSPECTOR_MODEL_DIR environment variable, then the built-in model (when one is installed).
 * Pure, so the order and the path rules are tested.
 */
import path from 'node:path';

export type ModelOrigin = 'setting' | 'environment' | 'built-in';

export type ModelChoice = { kind: 'folder'; dir: string; origin: ModelOrigin } | { kind: 'none' };

export interface ModelResolverInput {
  setting: string;
  env: string | undefined;
  /** Folder of the built-in model once it has been installed; undefined while there is none. */
  builtInDir: string | undefined;
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
  if (input.setting.trim() !== '') {
    return { kind: 'folder', dir: expandFolder(input.setting, input.workspaceFolder, input.home), origin: 'setting' };
  }
  const env = input.env?.trim();
  if (env) return { kind: 'folder', dir: expandFolder(env, process.cwd(), input.home), origin: 'environment' };
  if (input.builtInDir) return { kind: 'folder', dir: input.builtInDir, origin: 'built-in' };
  return { kind: 'none' };
}

export function describeOrigin(origin: ModelOrigin): string {
  switch (origin) {
    case 'setting':
      return 'from the setting attentionInspector.modelFolder';
    case 'environment':
      return 'from the environment variable ATTENTION_INSPECTOR_MODEL_DIR';
    case 'built-in':
      return 'the built-in model';
  }
}

/**
 * Typed reads of the `attentionInspector.*` settings. VS Code does not enforce a setting's schema (a
 * hand-edited settings.json can hold anything), so every value is checked and falls back to its default.
 * Pure: the caller passes a getter (vscode.WorkspaceConfiguration's `get` fits).
 */
import type { ColorScheme, PanelSettings, ViewKind } from '../shared/protocol';
import { BUILT_IN_MODEL } from './modelSpec';

export interface InspectorSettings extends PanelSettings {
  /** A folder holding a model (Hugging Face, llama2.c or ONNX); '' = not set. It wins over `model`. */
  modelFolder: string;
  /** A curated model name or a hub id, owner/name[@revision]; '' = the built-in model. Checked by modelSpec.ts. */
  model: string;
}

export const VIEW_KINDS: readonly ViewKind[] = ['arcs', 'heatmap', 'grid', 'compare', 'next'];
export const COLOR_SCHEMES: readonly ColorScheme[] = ['theme', 'blues', 'viridis', 'magma', 'greys'];
export const TOP_K_MIN = 1;
export const TOP_K_MAX = 100;

export const DEFAULT_SETTINGS: Readonly<InspectorSettings> = {
  modelFolder: '',
  model: BUILT_IN_MODEL,
  topK: 10,
  defaultView: 'arcs',
  colorScheme: 'theme',
};

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** A whole number in [min, max]: fractions are rounded and out-of-range values clamped, anything else is the fallback. */
export function clampInteger(value: unknown, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}

export function parseSettings(get: (key: string) => unknown): InspectorSettings {
  const folder = get('modelFolder');
  const model = get('model');
  return {
    modelFolder: typeof folder === 'string' ? folder.trim() : DEFAULT_SETTINGS.modelFolder,
    model: typeof model === 'string' ? model.trim() : DEFAULT_SETTINGS.model,
    topK: clampInteger(get('topK'), TOP_K_MIN, TOP_K_MAX, DEFAULT_SETTINGS.topK),
    defaultView: oneOf(get('defaultView'), VIEW_KINDS, DEFAULT_SETTINGS.defaultView),
    colorScheme: oneOf(get('colorScheme'), COLOR_SCHEMES, DEFAULT_SETTINGS.colorScheme),
  };
}

export function panelSettings(settings: InspectorSettings): PanelSettings {
  return { defaultView: settings.defaultView, colorScheme: settings.colorScheme, topK: settings.topK };
}

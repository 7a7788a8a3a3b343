/** Identifiers shared by package.json and the code: one place, so a rename cannot miss one of them. */

/** The panel's webview type; `onWebviewPanel:<VIEW_TYPE>` in package.json activates us to restore it. */
export const VIEW_TYPE = 'attentionInspector.panel';

export const COMMANDS = {
  inspect: 'attentionInspector.inspect',
  exportPng: 'attentionInspector.exportPng',
  chooseModelFolder: 'attentionInspector.chooseModelFolder',
} as const;

export const CONFIG_SECTION = 'attentionInspector';

/** Consulted when the modelFolder setting is empty (scripts, CI, a shared machine). */
export const MODEL_DIR_ENV = 'ATTENTION_INSPECTOR_MODEL_DIR';

/** Context key that is true while at least one panel is open (hides "Export View as PNG…" otherwise). */
export const PANEL_OPEN_CONTEXT = 'attentionInspector.panelOpen';

export const OUTPUT_CHANNEL_NAME = 'Attention Inspector';

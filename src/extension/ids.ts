/** Identifiers shared by package.json and the code: one place, so a rename cannot miss one of them. */

/** The panel's webview type; `onWebviewPanel:<VIEW_TYPE>` in package.json activates us to restore it. */
export const VIEW_TYPE = 'attentionInspector.panel';

export const COMMANDS = {
  inspect: 'attentionInspector.inspect',
  exportPng: 'attentionInspector.exportPng',
  chooseModelFolder: 'attentionInspector.chooseModelFolder',
  selectModel: 'attentionInspector.selectModel',
  manageModels: 'attentionInspector.manageModels',
} as const;

export const CONFIG_SECTION = 'attentionInspector';

/** Consulted when the modelFolder setting is empty (scripts, CI, a shared machine). */
export const MODEL_DIR_ENV = 'ATTENTION_INSPECTOR_MODEL_DIR';

/** Another hub (a mirror, or a local stand-in in tests) instead of https://huggingface.co. */
export const HUB_URL_ENV = 'ATTENTION_INSPECTOR_HUB_URL';

/** A Hugging Face access token, for gated models; sent to huggingface.co only. */
export const HUB_TOKEN_ENV = 'HF_TOKEN';

/** The download cache's folder inside the extension's global storage (other storage may join it later). */
export const HUB_CACHE_FOLDER = 'hub';

/** Context key that is true while at least one panel is open (hides "Export View as PNG…" otherwise). */
export const PANEL_OPEN_CONTEXT = 'attentionInspector.panelOpen';

export const OUTPUT_CHANNEL_NAME = 'Attention Inspector';

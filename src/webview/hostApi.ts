/** The typed door to the extension host: post PanelToHost messages and keep the small persisted state. */
import type { PanelState, PanelToHost } from '../shared/protocol';

export interface HostApi {
  post(message: PanelToHost): void;
  getState(): unknown;
  setState(state: PanelState): void;
}

/** acquireVsCodeApi may be called once per page load; this wraps that one instance. */
export function connectHost(): HostApi {
  const api = acquireVsCodeApi<PanelState>();
  return {
    post: (message) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state) => {
      api.setState(state);
    },
  };
}

// Types of install-server.mjs for the TypeScript tests that import it.

export declare const VERSIONS: Readonly<{ node: string; codeServer: string }>;
export declare const CACHE_DIR: string;
/** The Node 24 binary that runs the server. */
export declare const NODE24: string;
/** VS Code's server entry point inside code-server. */
export declare const SERVER_MAIN: string;

export declare class InstallError extends Error {}

export declare function isInstalled(): boolean;
export declare function ensureServerInstalled(options?: {
  log?: (line: string) => void;
}): Promise<{ node: string; serverMain: string; installed: boolean; seconds: number }>;

// Types of server.mjs for the TypeScript tests that import it.

export declare const HOST: '127.0.0.1';
export declare const QUIET_SETTINGS: Readonly<Record<string, unknown>>;

export interface StartServerOptions {
  /** .vsix files to install into the fresh profile before the server starts. */
  vsix?: string[];
  /** Pass --enable-smoke-test-driver (needed for extension tests). */
  smokeTestDriver?: boolean;
  /** User settings on top of QUIET_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and the extension hosts it starts. */
  env?: Record<string, string>;
  /** A fixed port; default: one the system picks. */
  port?: number;
  /** Where progress lines go; default: nowhere. */
  log?: (line: string) => void;
}

export interface Profile {
  dir: string;
  userDataDir: string;
  serverDataDir: string;
  extensionsDir: string;
  logFile: string;
  env: Record<string, string>;
}

export interface VscodeServer {
  url: string;
  host: string;
  port: number;
  pid: number;
  profile: Profile;
  /** The vscode-remote URI of a path on this machine, as the workbench's payload wants it. */
  remoteUri(absPath: string): string;
  /** The workbench URL that opens `folder`, with an optional payload of [key, value] pairs. */
  folderUrl(folder: string, payload?: [string, string][]): string;
  /** Kills the server's whole process group and deletes its profile; safe to call twice. */
  stop(): Promise<void>;
}

export declare function startServer(options?: StartServerOptions): Promise<VscodeServer>;
/** The last lines of a log file, for error messages. */
export declare function readLog(file: string, lines?: number): string;

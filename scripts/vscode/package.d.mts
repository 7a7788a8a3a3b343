// Types of package.mjs for the TypeScript tests that import it.

export interface PackageResult {
  /** Absolute path of the written .vsix. */
  file: string;
  bytes: number;
  /** The extension's files inside it, relative to the extension folder. */
  files: { name: string; size: number; compressedSize: number }[];
  seconds: number;
}

/** <name>-<version>.vsix in the repository root. */
export declare function defaultVsixPath(): string;
export declare function packageExtension(options?: { out?: string; build?: boolean; stdio?: 'inherit' | 'pipe' }): PackageResult;
export declare function formatReport(result: PackageResult): string;

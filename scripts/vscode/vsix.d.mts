// Types of vsix.mjs for the TypeScript tests that import it.

export interface VsixEntry {
  name: string;
  /** Uncompressed bytes. */
  size: number;
  compressedSize: number;
  /** Zip compression method: 0 stored, 8 deflated. */
  method: number;
  /** Offset of the entry's local header in the file. */
  localHeader: number;
}

/** Every entry of the zip, names as stored (the extension's files lie under "extension/"). */
export declare function listVsix(file: string): VsixEntry[];
/** The extension's own files, relative to the extension folder. */
export declare function extensionFiles(file: string): VsixEntry[];
/** The uncompressed bytes of one entry, named as listVsix names it. */
export declare function readVsixEntry(file: string, name: string): Buffer;

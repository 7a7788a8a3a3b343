/** The hub client's public surface: downloading, the cache, the curated catalog and the size check. */
export { downloadModel, DEFAULT_HUB_URL, type DownloadOptions, type DownloadProgress, type DownloadResult } from './download';
export { listCachedModels, removeCachedModel, revisionDir, type CachedModel } from './cache';
export { CATALOG, catalogEntry, type CatalogEntry } from './catalog';
export { estimateRequirement, requirementProblem, formatBytes, WASM_MEMORY_LIMIT_BYTES, type Requirement } from './requirements';
export type { HttpOptions } from './http';
export type { HubFile } from './listing';

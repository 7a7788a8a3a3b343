/** Folders the e2e tests use, all derived from this file's place in the repository. */
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const SAMPLES_DIR = path.join(REPO_ROOT, 'samples');
export const DIST_DIR = path.join(REPO_ROOT, 'dist');
/** Screenshots, logs and exported PNGs for people to look at after a run (ignored by git). */
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
/** Compiled in-host tests and the packaged .vsix (ignored by git). */
export const E2E_CACHE = path.join(REPO_ROOT, '.cache', 'e2e');
export { STORIES_DIR } from '../../helpers/stories260K';

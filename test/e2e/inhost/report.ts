/**
 * What crosses between the outer e2e test (plain Node) and the tests inside the extension host: the
 * fixture file the outer test writes before the run (AI_E2E_FIXTURES) and the results file the in-host
 * runner writes after it (AI_E2E_RESULTS). Types only, so both sides can import it.
 */

export interface InHostTestResult {
  /** Mocha's full title: suite titles and the test title joined by spaces. */
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  /** Message and stack of the failure. */
  error?: string;
}

export interface InHostReport {
  tests: InHostTestResult[];
  durationMs: number;
  vscodeVersion: string;
}

/** One position's next-token guesses as `node dist/cli.js inspect --json` printed them. */
export interface ExpectedNext {
  /** Index into the CLI's tokens (BOS is 0). */
  position: number;
  tokenText: string;
  top: { id: number; text: string; p: number }[];
}

export interface ExpectedInspection {
  /** Absolute path of the sample file and the 0-based range inspected in it: [startLine, startChar, endLine, endChar]. */
  file: string;
  range: [number, number, number, number];
  text: string;
  /** The CLI's tokens for that text: spans are UTF-16 offsets into `text`. */
  tokens: { id: number; text: string; start: number; end: number; special: boolean }[];
  next: ExpectedNext[];
}

export interface InHostFixtures {
  modelDir: string;
  topK: number;
  /** Where PNG exports may be written. */
  outDir: string;
  english: ExpectedInspection;
  chinese: ExpectedInspection;
}

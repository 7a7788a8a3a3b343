/** Where the shared stories260K model lives, and its published greedy output (an external golden). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const STORIES_DIR = process.env.STORIES260K_DIR ?? path.resolve(__dirname, '../../../shared/models/stories260K');

/** The text inside the code block under "## Reference output" of the model's README. */
export function publishedGreedyOutput(): string {
  const readme = readFileSync(path.join(STORIES_DIR, 'README.md'), 'utf8');
  const section = readme.split('## Reference output')[1];
  const match = section?.match(/```\n([\s\S]*?)\n```/);
  if (!match) throw new Error('README.md of stories260K has no reference output block');
  return match[1];
}

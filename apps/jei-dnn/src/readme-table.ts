import { readFile } from 'node:fs/promises';
import { ArgumentError } from '@offramp/core';
import { writeFileAtomic } from '@offramp/core/node';

const START = '<!-- jei-table:start -->';
const END = '<!-- jei-table:end -->';

/** Replaces the text between the table markers of a README with `markdown` (atomically). */
export async function updateReadmeTable(path: string, markdown: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    throw new ArgumentError({ field: path, expected: `the markers ${START} and ${END}`, received: 'a README without them' });
  }
  await writeFileAtomic(path, `${text.slice(0, start + START.length)}\n${markdown}\n${text.slice(end)}`);
}

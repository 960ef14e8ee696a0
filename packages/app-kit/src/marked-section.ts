import { readFile } from 'node:fs/promises';
import { ArgumentError } from '@offramp/core';
import { writeFileAtomic } from '@offramp/core/node';

/** The two markers around a generated section: `<!-- name:start -->` and `<!-- name:end -->`. */
export function sectionMarkers(name: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

/** `text` with the section `name` (between its markers) replaced by `content`. */
export function replaceMarkedSection(text: string, name: string, content: string): string {
  const { start, end } = sectionMarkers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    throw new ArgumentError({
      field: `section ${name}`,
      expected: `the markers ${start} and ${end}, in that order`,
      received: from < 0 ? `no ${start}` : `no ${end} after it`,
    });
  }
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/**
 * Rewrites the section `name` of the file at `path` (a README, say) with `content`, atomically.
 * A missing file or missing markers throw, unless `ifMissing` is 'skip': then it returns false.
 */
export async function updateMarkedSection(
  path: string,
  name: string,
  content: string,
  options: { ifMissing?: 'throw' | 'skip' } = {},
): Promise<boolean> {
  const skip = options.ifMissing === 'skip';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (skip) return false;
    throw error;
  }
  let updated: string;
  try {
    updated = replaceMarkedSection(text, name, content);
  } catch (error) {
    if (skip) return false;
    throw error;
  }
  await writeFileAtomic(path, updated);
  return true;
}

import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ArgumentError } from '@offramp/core';

/** Refuses an existing `target` up front (before any long work), unless `overwrite`. */
export async function checkOutputFree(target: string, overwrite = false): Promise<void> {
  const exists = await stat(resolve(target)).then(() => true, () => false);
  if (exists && !overwrite) {
    throw new ArgumentError({ field: '--out', expected: 'a folder that does not exist yet (or --force)', received: JSON.stringify(target) });
  }
}

/**
 * Runs `write` on a fresh temporary folder next to `target` and renames it to `target` only when
 * `write` succeeds; on failure the temporary folder is removed, so no partial output is left. An
 * existing `target` is an error unless `overwrite` (then it is replaced).
 */
export async function writeOutputFolder<T>(target: string, write: (dir: string) => Promise<T>, overwrite = false): Promise<T> {
  const absolute = resolve(target);
  const exists = await stat(absolute).then(() => true, () => false);
  if (exists && !overwrite) {
    throw new ArgumentError({ field: '--out', expected: 'a folder that does not exist yet (or --force)', received: JSON.stringify(target) });
  }
  await mkdir(dirname(absolute), { recursive: true });
  const temp = await mkdtemp(join(dirname(absolute), `.${basename(absolute)}.partial-`));
  try {
    const result = await write(temp);
    if (exists) await rm(absolute, { recursive: true, force: true });
    await rename(temp, absolute);
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

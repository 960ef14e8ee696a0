import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { removeStaleTemporaries, temporaryPath } from './temporary-files.js';

/** Flushes a folder's entries (the rename) to disk where the platform allows it (not on Windows). */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // folders cannot be opened or synced on every platform; the rename itself is still atomic
  }
}

/**
 * Writes a file through a temporary file in the same folder (flushed to disk) and a rename: a reader sees
 * the old or the new content, never a part. Temporaries that killed writers left in the folder are removed
 * first (their process is gone); a live writer's are left alone.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  await removeStaleTemporaries(folder);
  const temporary = temporaryPath(path);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

import { readFileChecked, writeFileAtomic } from '@offramp/core/node';
import { type CheckpointEntry, decodeCheckpoint, encodeCheckpoint, upgradeCheckpoint } from './checkpoint-format.js';

const readBytes = (path: string): Promise<Uint8Array> => readFileChecked(path, { field: 'path', expected: 'a readable checkpoint file' });

/** Reads and verifies every entry of a checkpoint file (length, checksum, manifest, finite values). */
export async function readCheckpoint(path: string): Promise<CheckpointEntry[]> {
  return decodeCheckpoint(await readBytes(path), path);
}

/**
 * Writes entries as one checkpoint file, atomically: a temporary file flushed to disk, then a rename, so a
 * reader finds the old checkpoint or the new one, whole, even if the writer is killed; the temporaries of
 * killed writers of the same file are removed.
 */
export async function writeCheckpoint(path: string, entries: readonly CheckpointEntry[]): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(entries));
}

/**
 * Converts a checkpoint file of the first format (no checksum) to the current one in place, atomically.
 * Returns whether it was converted (false: it already was current, and it verified).
 */
export async function upgradeCheckpointFile(path: string): Promise<boolean> {
  const bytes = await readBytes(path);
  const upgraded = upgradeCheckpoint(bytes, path);
  if (upgraded === bytes) return false;
  await writeFileAtomic(path, upgraded);
  return true;
}

import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArgumentError } from './errors.js';
import { isProcessAlive, removeStaleTemporaries, temporaryPath } from './temporary-files.js';

export interface FileLockOptions {
  /** How long to wait for a running holder to finish, in ms; default 120000. */
  readonly timeoutMs?: number;
  /** How often to look again while waiting, in ms; default 25. */
  readonly pollMs?: number;
}

const inode = async (path: string): Promise<bigint | undefined> => {
  try {
    return (await stat(path, { bigint: true })).ino;
  } catch {
    return undefined;
  }
};

/** The holder of the lock file: its process id (NaN when the file does not say) and inode, if it exists. */
async function holderOf(lockPath: string): Promise<{ pid: number; ino: bigint } | undefined> {
  const ino = await inode(lockPath);
  if (ino === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch {
    return undefined;
  }
  // the inode read with the text: if another writer replaced the lock in between, look again
  if ((await inode(lockPath)) !== ino) return undefined;
  return { pid: /^\d+\n$/.test(text) ? Number(text) : Number.NaN, ino };
}

/**
 * Removes a lock whose holder is gone. The lock is first moved away (atomic, so of two writers breaking it
 * only one gets it) and removed only if it is still the file that was judged stale; a fresh lock taken in
 * between by a live writer is put back.
 */
async function breakStaleLock(lockPath: string, staleIno: bigint): Promise<void> {
  const moved = temporaryPath(lockPath);
  try {
    await rename(lockPath, moved);
  } catch {
    return;
  }
  if ((await inode(moved)) !== staleIno) {
    try {
      await link(moved, lockPath);
    } catch {
      // the place was taken again meanwhile: that writer holds the lock
    }
  }
  await rm(moved, { force: true });
}

/**
 * Runs `body` while holding an exclusive lock on `lockPath` (a file holding the holder's process id). Writers
 * that use the same path run one at a time, across processes; a lock left by a killed process is taken
 * over. Waiting longer than `timeoutMs` for a running holder is an ArgumentError naming the lock and holder.
 */
export async function withFileLock<T>(lockPath: string, body: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const pollMs = options.pollMs ?? 25;
  await mkdir(dirname(lockPath), { recursive: true });
  await removeStaleTemporaries(dirname(lockPath));
  const mine = temporaryPath(lockPath);
  await writeFile(mine, `${process.pid}\n`, { flag: 'wx' });
  let held: bigint | undefined;
  try {
    const deadline = Date.now() + timeoutMs;
    while (held === undefined) {
      try {
        await link(mine, lockPath);
        held = await inode(mine);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await holderOf(lockPath);
      if (holder && (Number.isNaN(holder.pid) || !isProcessAlive(holder.pid))) {
        await breakStaleLock(lockPath, holder.ino);
        continue;
      }
      if (Date.now() > deadline) {
        throw new ArgumentError({
          field: lockPath,
          expected: `the lock released within ${timeoutMs} ms`,
          received: holder
            ? `a lock held by process ${holder.pid}, still running (remove the file if that process is not writing)`
            : 'a lock file that cannot be read',
        });
      }
      await sleep(holder ? pollMs : 1);
    }
  } finally {
    await rm(mine, { force: true });
  }
  try {
    return await body();
  } finally {
    if ((await inode(lockPath)) === held) await rm(lockPath, { force: true });
  }
}

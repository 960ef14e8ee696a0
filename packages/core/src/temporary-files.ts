import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Temporary files of writeFileAtomic are named `<target>.<pid>-<12 hex>.tmp`: the writer's process id says
 * whether the file can still be finished (its writer runs) or is a leftover of a writer that was killed.
 */
const TEMPORARY = /^(.+)\.(\d+)-[0-9a-f]{12}\.tmp$/;
/** The names of earlier versions, without a process id: `<target>.<12 hex>.tmp`. */
const LEGACY_TEMPORARY = /^(.+)\.[0-9a-f]{12}\.tmp$/;
/** A legacy temporary untouched this long is taken as abandoned (its writer cannot be asked). */
export const LEGACY_TEMPORARY_AGE_MS = 60 * 60 * 1000;

/** A fresh temporary path next to `path`, carrying this process's id. */
export function temporaryPath(path: string): string {
  return `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
}

/** Whether a process with this id runs (on this machine). A process of another user counts as running. */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * If `name` (in `folder`) is a temporary of writeFileAtomic whose writer is gone, the name of the file it
 * was meant to become; otherwise undefined. Gone: no process has the id in the name, or, for a legacy name
 * without an id, the file has not changed for LEGACY_TEMPORARY_AGE_MS. This process's own temporaries are
 * never stale (they may be in flight).
 */
export async function staleTemporaryTarget(folder: string, name: string, now = Date.now()): Promise<string | undefined> {
  const match = TEMPORARY.exec(name);
  if (match) return isProcessAlive(Number(match[2])) ? undefined : match[1];
  const legacy = LEGACY_TEMPORARY.exec(name);
  if (!legacy) return undefined;
  try {
    return now - (await stat(join(folder, name))).mtimeMs > LEGACY_TEMPORARY_AGE_MS ? legacy[1] : undefined;
  } catch {
    return undefined;
  }
}

async function namesIn(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

/**
 * Removes the temporaries that killed writers left for the files of `folder` that `owns` accepts (by
 * target name); live writers' temporaries stay. Best effort: a file that cannot be removed is left.
 * Returns the names removed.
 */
export async function removeStaleTemporaries(folder: string, owns: (target: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await namesIn(folder)) {
    const target = await staleTemporaryTarget(folder, name);
    if (target === undefined || !owns(target)) continue;
    try {
      await rm(join(folder, name), { force: true });
      removed.push(name);
    } catch {
      // another writer's cleanup got there first, or it is not ours to remove
    }
  }
  return removed;
}

/** removeStaleTemporaries for the temporaries of one file. */
export function removeStaleTemporariesOf(path: string): Promise<string[]> {
  const target = basename(path);
  return removeStaleTemporaries(dirname(path), (name) => name === target);
}

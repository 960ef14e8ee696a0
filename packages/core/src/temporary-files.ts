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

/** A leftover temporary: the file it was meant to become, and whether its name is of the legacy form. */
export interface StaleTemporary {
  readonly target: string;
  readonly legacy: boolean;
}

/**
 * If `name` (in `folder`) is a temporary of writeFileAtomic whose writer is gone, what it was meant to become;
 * otherwise undefined. Gone: no process has the id in the name, or, for a legacy name without an id, the file
 * has not changed for LEGACY_TEMPORARY_AGE_MS. This process's own temporaries are never stale (they may be in
 * flight).
 */
export async function staleTemporary(folder: string, name: string, now = Date.now()): Promise<StaleTemporary | undefined> {
  const match = TEMPORARY.exec(name);
  if (match) return isProcessAlive(Number(match[2])) ? undefined : { target: match[1]!, legacy: false };
  const legacy = LEGACY_TEMPORARY.exec(name);
  if (!legacy) return undefined;
  try {
    const old = now - (await stat(join(folder, name))).mtimeMs > LEGACY_TEMPORARY_AGE_MS;
    return old ? { target: legacy[1]!, legacy: true } : undefined;
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
 * Removes the temporaries that killed writers left in `folder` that `owns` accepts; live writers' temporaries
 * stay. Best effort: a file that cannot be removed is left. Returns the names removed.
 */
export async function removeStaleTemporaries(folder: string, owns: (stale: StaleTemporary) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await namesIn(folder)) {
    const stale = await staleTemporary(folder, name);
    if (stale === undefined || !owns(stale)) continue;
    try {
      await rm(join(folder, name), { force: true });
      removed.push(name);
    } catch {
      // another writer's cleanup got there first, or it is not ours to remove
    }
  }
  return removed;
}

/**
 * The cleanup before writing `path`: every temporary in its folder whose writer process is gone (whatever
 * file it was for: none of them can be finished), and the legacy temporaries (no process id) of `path` itself.
 */
export function removeStaleTemporariesOf(path: string): Promise<string[]> {
  const target = basename(path);
  return removeStaleTemporaries(dirname(path), (stale) => !stale.legacy || stale.target === target);
}

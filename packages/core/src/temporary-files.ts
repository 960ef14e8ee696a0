import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Temporary files of writeFileAtomic are named `<target>.<pid>-<12 hex>.tmp`: the writer's process id says
 * whether the file can still be finished (its writer runs) or is a leftover of a writer that was killed.
 */
const TEMPORARY = /^(.+)\.(\d+)-[0-9a-f]{12}\.tmp$/;

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
 * If `name` is a temporary of writeFileAtomic whose writer process is gone, the file it was meant to become;
 * otherwise undefined. This process's own temporaries are never stale (they may be in flight).
 */
export function staleTemporary(name: string): string | undefined {
  const match = TEMPORARY.exec(name);
  return match && !isProcessAlive(Number(match[2])) ? match[1] : undefined;
}

/**
 * Removes every temporary in `folder` whose writer is gone (whatever file it was for: none of them can be
 * finished); live writers' temporaries stay. Best effort: a file that cannot be removed is left.
 */
export async function removeStaleTemporaries(folder: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (staleTemporary(name) !== undefined) await rm(join(folder, name), { force: true }).catch(() => undefined);
  }
}

// Spawned writer processes for the kill-mid-write tests of the onnx and train packages (shared by both).
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Newest modification time of the files under `dir` (0 if there are none). */
async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return latest;
}

/**
 * How to load the package's module `name` in a child process: the built dist when it is newer than every
 * source file (fast), otherwise the TypeScript source through tsx.
 */
export async function moduleForChild(packageRoot: string, name: string): Promise<{ execArgv: string[]; url: string }> {
  const built = join(packageRoot, 'dist', `${name}.js`);
  try {
    if ((await stat(built)).mtimeMs >= (await newest(join(packageRoot, 'src')))) {
      return { execArgv: [], url: pathToFileURL(built).href };
    }
  } catch {
    // not built
  }
  return { execArgv: ['--import', 'tsx'], url: pathToFileURL(join(packageRoot, 'src', `${name}.ts`)).href };
}

/** A writer process started with `args`, resolved once it prints its first line (it is ready to write). */
export async function startWriter(execArgv: readonly string[], script: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`writer exited (${code}) before it was ready: ${errors}`)));
  });
  return child;
}

/** Kills `child` with SIGKILL and waits until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

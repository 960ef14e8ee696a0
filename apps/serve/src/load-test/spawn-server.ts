import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A server running in a child process. */
export interface ServerProcess {
  readonly url: string;
  /** SIGTERM (graceful shutdown), then waits for the process to exit. */
  stop(): Promise<number | null>;
}

/** Starts `node <main> serve ...args` and waits for its "listening" line. */
export function spawnServer(main: string, args: readonly string[], startTimeoutMs = 60_000): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [main, 'serve', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with code ${code} before listening`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let event: { event?: string; url?: string };
      try {
        event = JSON.parse(line) as { event?: string; url?: string };
      } catch {
        return;
      }
      if (event.event === 'listening' && event.url) {
        clearTimeout(timer);
        resolve({
          url: event.url,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
  });
}

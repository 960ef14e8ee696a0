import { readFile } from 'node:fs/promises';
import { type NetworkConfig, parseNetworkConfigJson } from './config.js';
import { ConfigError } from './errors.js';
import type { GateRegistry } from './registry.js';
import { writeFileAtomic } from './atomic-write.js';

export { writeFileAtomic } from './atomic-write.js';
export { type FileLockOptions, withFileLock } from './file-lock.js';
export {
  isProcessAlive,
  LEGACY_TEMPORARY_AGE_MS,
  removeStaleTemporaries,
  removeStaleTemporariesOf,
  type StaleTemporary,
  staleTemporary,
  temporaryPath,
} from './temporary-files.js';

/** Reads and validates a network config file. */
export async function readNetworkConfig(path: string, registry?: GateRegistry): Promise<NetworkConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError({
      field: 'path',
      expected: 'a readable network config file (JSON)',
      received: code === 'ENOENT' ? `no file at ${path}` : `${path} (${code ?? String(error)})`,
    });
  }
  return parseNetworkConfigJson(text, registry, path);
}

/** Writes a network config as formatted JSON, atomically. */
export async function writeNetworkConfig(path: string, config: NetworkConfig): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
}

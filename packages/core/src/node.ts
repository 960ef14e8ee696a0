import { type NetworkConfig, parseNetworkConfigJson } from './config.js';
import { ConfigError } from './errors.js';
import { readFileChecked } from './read-file.js';
import type { GateRegistry } from './registry.js';
import { writeFileAtomic } from './atomic-write.js';

export { writeFileAtomic } from './atomic-write.js';
export { readFileChecked } from './read-file.js';
export { type FileLockOptions, withFileLock } from './file-lock.js';

/** Reads and validates a network config file. */
export async function readNetworkConfig(path: string, registry?: GateRegistry): Promise<NetworkConfig> {
  const bytes = await readFileChecked(path, { field: 'path', expected: 'a readable network config file (JSON)' }, (d) => new ConfigError(d));
  return parseNetworkConfigJson(new TextDecoder().decode(bytes), registry, path);
}

/** Writes a network config as formatted JSON, atomically. */
export async function writeNetworkConfig(path: string, config: NetworkConfig): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
}

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type NetworkConfig, parseNetworkConfigJson } from './config.js';
import type { GateRegistry } from './registry.js';

/** Writes a file through a temporary file in the same folder and a rename: never half-written. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Reads and validates a network config file. */
export async function readNetworkConfig(path: string, registry?: GateRegistry): Promise<NetworkConfig> {
  return parseNetworkConfigJson(await readFile(path, 'utf8'), registry);
}

/** Writes a network config as formatted JSON, atomically. */
export async function writeNetworkConfig(path: string, config: NetworkConfig): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
}

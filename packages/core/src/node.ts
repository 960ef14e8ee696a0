import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type NetworkConfig, parseNetworkConfigJson } from './config.js';
import { ConfigError } from './errors.js';
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

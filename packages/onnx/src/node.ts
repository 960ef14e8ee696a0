import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@offramp/core/node';
import type { OnnxBundle } from './bundle.js';
import { checkManifest } from './manifest.js';
import { OnnxModelError } from './errors.js';

export const MANIFEST_FILE = 'manifest.json';

/** Writes every graph and manifest.json into `dir` (each file atomically). */
export async function writeOnnxBundle(dir: string, bundle: OnnxBundle): Promise<void> {
  for (const [file, bytes] of Object.entries(bundle.files)) await writeFileAtomic(join(dir, file), bytes);
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
}

async function readBytes(path: string, field: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new OnnxModelError({
      field,
      expected: `a readable file at ${path}`,
      received: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Reads a bundle written by writeOnnxBundle, validating the manifest. */
export async function readOnnxBundle(dir: string): Promise<OnnxBundle> {
  const text = new TextDecoder().decode(await readBytes(join(dir, MANIFEST_FILE), MANIFEST_FILE));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new OnnxModelError({
      field: MANIFEST_FILE,
      expected: 'valid JSON',
      received: error instanceof Error ? error.message : String(error),
    });
  }
  const manifest = checkManifest(raw);
  const names = [
    ...manifest.stages.map((s) => s.file),
    ...manifest.heads.map((h) => h.file),
    ...manifest.fused.map((f) => f.file),
    manifest.full.file,
  ];
  const files: Record<string, Uint8Array> = {};
  for (const name of names) files[name] = await readBytes(join(dir, name), `manifest file ${JSON.stringify(name)}`);
  return { manifest, files };
}

export {
  accuracyOf,
  clock,
  compiledPass,
  earlyExitPass,
  fullModelPass,
  fusedChainPass,
  mean,
  type Pass,
  pooledEarlyExitPass,
} from './timed-passes.js';

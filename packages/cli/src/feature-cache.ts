import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dump, parse } from 'npyjs';

/** A cache key: the hash of everything features depend on (model bytes, exits, the data's bytes). */
export function featureCacheKey(parts: readonly (Uint8Array | string)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(typeof part === 'string' ? Buffer.from(part) : part);
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

/**
 * Features per exit, kept as .npy files under `<dir>/<key>/<name>-<exit>.npy`; computed by `make`
 * when any is missing.
 */
export async function cachedFeatures(
  dir: string,
  key: string,
  name: string,
  exits: number,
  make: () => Promise<Float32Array[]>,
): Promise<{ features: Float32Array[]; cached: boolean }> {
  const folder = join(dir, key);
  const files = Array.from({ length: exits }, (_, l) => join(folder, `${name}-${l}.npy`));
  try {
    const features = await Promise.all(
      files.map(async (file) => {
        const bytes = new Uint8Array(await readFile(file));
        return parse(bytes.slice().buffer).data as Float32Array;
      }),
    );
    return { features, cached: true };
  } catch {
    const features = await make();
    await mkdir(folder, { recursive: true });
    await Promise.all(
      features.map(async (f, l) => {
        const partial = `${files[l]!}.partial`;
        await writeFile(partial, new Uint8Array(dump(f, [f.length])));
        await rename(partial, files[l]!);
      }),
    );
    return { features, cached: false };
  }
}

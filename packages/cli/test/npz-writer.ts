import { writeFile } from 'node:fs/promises';
import { zipSync } from 'fflate';
import { dump, type TypedArray } from 'npyjs';

/** Writes a .npz as np.savez does (a zip of .npy files), with npyjs and fflate. */
export async function writeNpz(path: string, arrays: Record<string, { data: TypedArray; shape: number[] }>): Promise<void> {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, { data, shape }] of Object.entries(arrays)) entries[`${name}.npy`] = new Uint8Array(dump(data, shape));
  await writeFile(path, zipSync(entries));
}

import { unzipSync } from 'fflate';
import { type NpyArray, parse } from 'npyjs';
import { DataFileError } from './errors.js';

/**
 * The arrays of a NumPy .npz archive (as `np.savez` writes it), by name without `.npy`: unzipped
 * with fflate, each array parsed with npyjs. A file that is not such an archive is a DataFileError.
 */
export function readNpz(bytes: Uint8Array, file: string): Map<string, NpyArray> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw new DataFileError({
      field: file,
      expected: 'a .npz archive (np.savez)',
      received: `a file that does not unzip (${error instanceof Error ? error.message : String(error)})`,
    });
  }
  const arrays = new Map<string, NpyArray>();
  for (const [entry, data] of Object.entries(entries)) {
    if (!entry.endsWith('.npy')) continue;
    const name = entry.slice(0, -'.npy'.length);
    try {
      const copy = data.slice();
      arrays.set(name, parse(copy.buffer));
    } catch (error) {
      throw new DataFileError({
        field: `${file}:${name}`,
        expected: 'a .npy array',
        received: `data that does not parse (${error instanceof Error ? error.message : String(error)})`,
      });
    }
  }
  return arrays;
}

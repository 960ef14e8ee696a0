// Reads a .npz (as np.savez writes it) with the libraries @offramp/cli uses: fflate to unzip, npyjs per array.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'cli', 'package.json'));
const { unzipSync } = await import(cli.resolve('fflate'));
const { parse } = await import(cli.resolve('npyjs'));

/** Every array of the file by name: `{ shape, data }` (typed arrays; int64 as BigInt64Array). */
export function readNpz(path) {
  const arrays = {};
  for (const [entry, bytes] of Object.entries(unzipSync(new Uint8Array(readFileSync(path))))) {
    const parsed = parse(bytes.slice().buffer);
    arrays[entry.replace(/\.npy$/, '')] = { shape: parsed.shape, data: parsed.data };
  }
  return arrays;
}

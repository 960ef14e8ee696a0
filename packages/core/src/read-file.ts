import { readFile } from 'node:fs/promises';
import { ArgumentError, type ErrorDetails } from './errors.js';

/**
 * Reads a file the caller names; a missing or unreadable one is a typed error (ArgumentError unless `error` makes
 * another) with `field` and `expected` as given and what was found as received (`no file at <path>`, or the code).
 */
export async function readFileChecked(
  path: string,
  details: { readonly field: string; readonly expected: string },
  error: (details: ErrorDetails) => Error = (d) => new ArgumentError(d),
): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw error({ ...details, received: code === 'ENOENT' ? `no file at ${path}` : `${path} (${code ?? String(cause)})` });
  }
}

import { readFile } from 'node:fs/promises';
import { ArgumentError } from '@offramp/core';

/** Reads a file the user named; a missing or unreadable one is an ArgumentError naming `field`. */
export async function readUserFile(path: string, field: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ArgumentError({
      field,
      expected: 'a readable file',
      received: `${JSON.stringify(path)} (${code === 'ENOENT' ? 'no such file' : (code ?? String(error))})`,
    });
  }
}

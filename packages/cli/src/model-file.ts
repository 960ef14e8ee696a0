import { readFileChecked } from '@offramp/core/node';

/** Reads a file the user named; a missing or unreadable one is an ArgumentError naming `field`. */
export function readUserFile(path: string, field: string): Promise<Uint8Array> {
  return readFileChecked(path, { field, expected: 'a readable file' });
}

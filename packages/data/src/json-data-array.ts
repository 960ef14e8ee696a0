import { readFile } from 'node:fs/promises';
import { ArgumentError, InputShapeError } from '@offramp/core';

/**
 * Parses a data file of the form `{ "data": [...] }` (as the `mnist` and `fashion-mnist` packages ship them)
 * and returns its `data` array; `file` names the file in errors, `expected` describes the array's items.
 */
export function readDataArray(text: string, file: string, expected: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputShapeError({
      field: file,
      expected: 'a JSON document',
      received: `text that does not parse (${error instanceof Error ? error.message : String(error)})`,
    });
  }
  const data =
    typeof parsed === 'object' && parsed !== null && 'data' in parsed ? (parsed as { data: unknown }).data : undefined;
  if (!Array.isArray(data)) {
    throw new InputShapeError({
      field: `${file}: data`,
      expected,
      received: data === undefined ? 'no "data" field' : typeof data,
    });
  }
  return data;
}

/** Reads a data file shipped in a package; an unreadable file is a typed error naming it. */
export async function readPackageFile(file: string, description: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ArgumentError({
      field: file,
      expected: description,
      received: error instanceof Error ? error.message : String(error),
    });
  }
}

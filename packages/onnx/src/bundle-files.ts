import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseJsonText } from '@offramp/core';
import { readFileChecked } from '@offramp/core/node';
import { OnnxModelError } from './errors.js';

export const MANIFEST_FILE = 'manifest.json';
/** Held (withFileLock) while a writer replaces the bundle: writers of one folder run one at a time. */
export const BUNDLE_LOCK_FILE = '.offramp-bundle.lock';

/**
 * A graph file named by its content: `<stem>.<first 16 hex digits of its SHA-256>.onnx`. A new version of a
 * bundle never overwrites a file the current manifest names; files of this form that the manifest does not
 * name are left over from an earlier version or a killed writer.
 */
export const CONTENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.[0-9a-f]{16}\.onnx$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The content name of a graph that the manifest calls `file` (an earlier content suffix is replaced). */
export function contentName(file: string, sha256: string): string {
  const stem = file.replace(/\.onnx$/, '').replace(/\.[0-9a-f]{16}$/, '');
  return `${stem}.${sha256.slice(0, 16)}.onnx`;
}

export function readBytes(path: string, field: string): Promise<Uint8Array> {
  return readFileChecked(path, { field, expected: `a readable file at ${path}` }, (d) => new OnnxModelError(d));
}

/** The text of the folder's manifest.json. */
export async function readManifestText(dir: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(join(dir, MANIFEST_FILE), MANIFEST_FILE));
}

/**
 * Parses manifest.json's text (not yet validated) with core's strict reader: a key written twice, nesting deeper
 * than 64 or malformed JSON is an OnnxModelError naming the file and the path inside it.
 */
export function parseManifestText(text: string): unknown {
  return parseJsonText(text, { source: MANIFEST_FILE, error: (details) => new OnnxModelError(details) });
}

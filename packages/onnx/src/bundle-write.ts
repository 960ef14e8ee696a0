import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ArgumentError } from '@offramp/core';
import { withFileLock, writeFileAtomic } from '@offramp/core/node';
import type { OnnxBundle } from './bundle.js';
import {
  BUNDLE_LOCK_FILE,
  CONTENT_NAME,
  contentName,
  MANIFEST_FILE,
  parseManifestText,
  readBytes,
  readManifestText,
  sha256Hex,
} from './bundle-files.js';
import { OnnxModelError } from './errors.js';
import { graphEntries, mapGraphEntries } from './graph-entries.js';
import { checkManifest, FILE_NAME } from './manifest.js';

/** The bundle as it is written: graphs under content names, each entry with its SHA-256. */
function contentAddressed(bundle: OnnxBundle): OnnxBundle {
  const given = checkManifest(bundle.manifest);
  const files: Record<string, Uint8Array> = {};
  const named = new Set<string>();
  const manifest = mapGraphEntries(given, (entry, field) => {
    const bytes = Object.hasOwn(bundle.files, entry.file) ? bundle.files[entry.file] : undefined;
    if (!(bytes instanceof Uint8Array)) {
      throw new OnnxModelError({
        field: `files[${JSON.stringify(entry.file)}]`,
        expected: `the bytes of the graph that ${field}.file names`,
        received: bytes === undefined ? 'nothing' : typeof bytes,
      });
    }
    named.add(entry.file);
    const sha256 = sha256Hex(bytes);
    const file = contentName(entry.file, sha256);
    files[file] = bytes;
    return { ...entry, file, sha256 };
  });
  const extra = Object.keys(bundle.files).filter((name) => !named.has(name));
  if (extra.length > 0) {
    throw new ArgumentError({
      field: 'files',
      expected: 'only the graphs the manifest names',
      received: `files the manifest does not name: ${extra.map((name) => JSON.stringify(name)).join(', ')}`,
    });
  }
  return { manifest, files };
}

/** The graph files the folder's current manifest names (any version; nothing if there is none or it does not parse). */
async function currentFiles(dir: string): Promise<Set<string>> {
  try {
    const raw = parseManifestText(await readManifestText(dir)) as Record<string, unknown> | null;
    const entries = [raw?.stages, raw?.heads, raw?.fused].flatMap((list) => (Array.isArray(list) ? list : []));
    const files = [...entries, raw?.full].map((entry) => (entry as { file?: unknown } | null)?.file);
    return new Set(files.filter((file): file is string => typeof file === 'string' && FILE_NAME.test(file) && !file.includes('..')));
  } catch {
    return new Set();
  }
}

/** Whether the file at `path` exists with this SHA-256. */
async function holds(path: string, sha256: string): Promise<boolean> {
  try {
    return sha256Hex(await readBytes(path, path)) === sha256;
  } catch {
    return false;
  }
}

/**
 * Removes what the committed manifest no longer names: graphs of earlier versions (content names, or the
 * names the replaced manifest used) and graphs killed writers left (the temporaries of killed writers went with
 * the atomic writes). Runs under the lock.
 */
async function collectGarbage(dir: string, names: ReadonlySet<string>, replaced: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!names.has(name) && (CONTENT_NAME.test(name) || replaced.has(name))) await rm(join(dir, name), { force: true });
  }
}

/**
 * Writes a bundle into `dir`, replacing the version there whole: a reader (readOnnxBundle) gets the old version
 * or the new one, never a mix and never none, even if the writer is killed at any moment. The graphs are
 * written under content names (`stage0.<16 hex>.onnx`, files of the old version stay untouched), then
 * manifest.json, with every graph's SHA-256, is replaced by a rename (the single commit point); only then are
 * the files it no longer names removed. Writers of the same folder take turns (a lock file; a killed
 * writer's lock is taken over). Returns the bundle as written (its manifest names the content names).
 */
export async function writeOnnxBundle(dir: string, bundle: OnnxBundle): Promise<OnnxBundle> {
  const written = contentAddressed(bundle);
  await mkdir(dir, { recursive: true });
  return withFileLock(join(dir, BUNDLE_LOCK_FILE), async () => {
    const replaced = await currentFiles(dir);
    for (const { entry } of graphEntries(written.manifest)) {
      const path = join(dir, entry.file);
      if (!(await holds(path, entry.sha256!))) await writeFileAtomic(path, written.files[entry.file]!);
    }
    await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(written.manifest, null, 2)}\n`);
    await collectGarbage(dir, new Set(Object.keys(written.files)), replaced);
    return written;
  });
}

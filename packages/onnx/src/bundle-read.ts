import { join } from 'node:path';
import type { OnnxBundle } from './bundle.js';
import { parseManifestText, readBytes, readManifestText, sha256Hex } from './bundle-files.js';
import { OnnxModelError } from './errors.js';
import { graphEntries } from './graph-entries.js';
import { checkManifest, type OnnxManifest } from './manifest.js';

/** A reader that keeps finding the bundle replaced under it gives up after this many manifests. */
const READ_ATTEMPTS = 3;

/** Reads every graph the manifest names and checks it against the manifest's SHA-256. */
async function readGraphs(dir: string, manifest: OnnxManifest): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (const { field, entry } of graphEntries(manifest)) {
    if (entry.sha256 === undefined) {
      throw new OnnxModelError({
        field: `${field}.sha256`,
        expected: "the SHA-256 of the graph's file (64 hex digits), as writeOnnxBundle writes it",
        received: 'none',
      });
    }
    const path = join(dir, entry.file);
    const bytes = files[entry.file] ?? (await readBytes(path, `manifest file ${JSON.stringify(entry.file)}`));
    const actual = sha256Hex(bytes);
    if (actual !== entry.sha256) {
      throw new OnnxModelError({
        field: `manifest file ${JSON.stringify(entry.file)}`,
        expected: `bytes with SHA-256 ${entry.sha256} (${field}.sha256)`,
        received: `SHA-256 ${actual}: ${path} is corrupt`,
      });
    }
    files[entry.file] = bytes;
  }
  return files;
}

/**
 * Reads a bundle written by writeOnnxBundle: validates the manifest and checks every graph's SHA-256. A graph
 * that is missing or does not match is an OnnxModelError naming the file, unless a writer replaced the bundle
 * meanwhile (the manifest changed): then the new version is read, so the result is always one version, whole.
 */
export async function readOnnxBundle(dir: string): Promise<OnnxBundle> {
  let text = await readManifestText(dir);
  for (let attempt = 1; ; attempt++) {
    const manifest = checkManifest(parseManifestText(text));
    try {
      return { manifest, files: await readGraphs(dir, manifest) };
    } catch (error) {
      if (!(error instanceof OnnxModelError) || attempt >= READ_ATTEMPTS) throw error;
      const now = await readManifestText(dir);
      if (now === text) throw error;
      text = now;
    }
  }
}

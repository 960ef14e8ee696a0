import { join } from 'node:path';
import { withFileLock, writeFileAtomic } from '@offramp/core/node';
import type { OnnxBundle } from './bundle.js';
import { BUNDLE_LOCK_FILE, MANIFEST_FILE, parseManifestText, readBytes, readManifestText, sha256Hex } from './bundle-files.js';
import { readOnnxBundle } from './bundle-read.js';
import { mapGraphEntries } from './graph-entries.js';
import { checkManifest, MANIFEST_VERSION } from './manifest.js';

/**
 * Converts a bundle folder of the first format (manifest version 1, no digests) in place: the graphs keep their
 * names, manifest.json gets version 2 and every graph's SHA-256 (one atomic replace). A current bundle is only
 * read and checked. Returns the bundle and whether it was converted.
 */
export async function upgradeOnnxBundle(dir: string): Promise<{ bundle: OnnxBundle; upgraded: boolean }> {
  return withFileLock(join(dir, BUNDLE_LOCK_FILE), async () => {
    const raw = parseManifestText(await readManifestText(dir));
    const version = (raw as { version?: unknown } | null)?.version;
    if (version !== 1) return { bundle: await readOnnxBundle(dir), upgraded: false };
    const given = checkManifest({ ...(raw as object), version: MANIFEST_VERSION });
    const files: Record<string, Uint8Array> = {};
    for (const entry of [...given.stages, ...given.heads, ...given.fused, given.full]) {
      files[entry.file] ??= await readBytes(join(dir, entry.file), `manifest file ${JSON.stringify(entry.file)}`);
    }
    const manifest = mapGraphEntries(given, (entry) => ({ ...entry, sha256: sha256Hex(files[entry.file]!) }));
    await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return { bundle: { manifest, files }, upgraded: true };
  });
}

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ArgumentError } from '@offramp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxModelError } from '../src/index.js';
import { BUNDLE_LOCK_FILE, readOnnxBundle, upgradeOnnxBundle, writeOnnxBundle } from '../src/node.js';
import { digestsByRole, fakeBundle, sha256, versionOf } from './fake-bundle.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'offramp-bundle-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const A = fakeBundle(1);
const B = fakeBundle(2);
const versions = { A, B };
const fresh = (name: string): Promise<string> => mkdtemp(join(folder, `${name}-`));
const sorted = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('writeOnnxBundle / readOnnxBundle', () => {
  it('writes graphs under content names with their SHA-256 in the manifest, and reads them back', async () => {
    const dir = await fresh('write');
    const written = await writeOnnxBundle(dir, A);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.version).toBe(2);
    expect(manifest.stages[0].file).toMatch(/^stage0\.[0-9a-f]{16}\.onnx$/);
    expect(manifest).toEqual(JSON.parse(JSON.stringify(written.manifest)));
    for (const entry of [...manifest.stages, ...manifest.heads, ...manifest.fused, manifest.full]) {
      expect(entry.sha256).toBe(sha256(await readFile(join(dir, entry.file))));
      expect(entry.file.startsWith(entry.sha256.slice(0, 16), entry.file.length - 21)).toBe(true);
    }
    expect(await sorted(dir)).toEqual(['manifest.json', ...Object.keys(written.files)].sort());
    const read = await readOnnxBundle(dir);
    expect(read.manifest).toEqual(written.manifest);
    expect(versionOf(read, versions)).toBe('A');
    expect(digestsByRole(read)).toEqual(digestsByRole(A));
  });

  it('replaces a version whole and removes the files the new manifest does not name', async () => {
    const dir = await fresh('replace');
    const a = await writeOnnxBundle(dir, A);
    const b = await writeOnnxBundle(dir, B);
    expect(await sorted(dir)).toEqual(['manifest.json', ...Object.keys(b.files)].sort());
    expect(versionOf(await readOnnxBundle(dir), versions)).toBe('B');
    // writing what is there again keeps the same names; a bundle read back writes as it was
    expect((await writeOnnxBundle(dir, await readOnnxBundle(dir))).manifest).toEqual(b.manifest);
    expect((await writeOnnxBundle(dir, A)).manifest).toEqual(a.manifest);
    expect(await sorted(dir)).toEqual(['manifest.json', ...Object.keys(a.files)].sort());
  });

  it('refuses a graph whose bytes do not match, or that is missing, naming the file', async () => {
    const dir = await fresh('corrupt');
    const { manifest } = await writeOnnxBundle(dir, A);
    const file = manifest.heads[1]!.file;
    const path = join(dir, file);
    const bytes = await readFile(path);
    const flipped = Uint8Array.from(bytes);
    flipped[100]! ^= 1;
    await writeFile(path, flipped);
    await expect(readOnnxBundle(dir)).rejects.toThrow(OnnxModelError);
    await expect(readOnnxBundle(dir)).rejects.toThrow(
      `manifest file ${JSON.stringify(file)}: expected bytes with SHA-256 ${manifest.heads[1]!.sha256} (manifest.heads[1].sha256), received SHA-256 ${sha256(flipped)}: ${path} is corrupt`,
    );
    await rm(path);
    await expect(readOnnxBundle(dir)).rejects.toThrow(new RegExp(`^manifest file "${file.replace(/\./g, '\\.')}": expected a readable file at`));
    await writeFile(path, bytes);
    expect(versionOf(await readOnnxBundle(dir), versions)).toBe('A');
  });

  it('requires a well-formed SHA-256 for every graph of a bundle on disk', async () => {
    const dir = await fresh('digest');
    const { manifest } = await writeOnnxBundle(dir, A);
    const { sha256: _, ...withoutDigest } = manifest.full;
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, full: withoutDigest }));
    await expect(readOnnxBundle(dir)).rejects.toThrow(OnnxModelError);
    await expect(readOnnxBundle(dir)).rejects.toThrow(/^manifest\.full\.sha256: expected the SHA-256 of the graph's file.*received none$/);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, full: { ...manifest.full, sha256: 'ABC' } }));
    await expect(readOnnxBundle(dir)).rejects.toThrow(ArgumentError);
    await expect(readOnnxBundle(dir)).rejects.toThrow(/^manifest\.full\.sha256: expected the SHA-256 of the file, 64 lowercase hex digits, received "ABC"$/);
  });

  it('reads manifest.json strictly: a key written twice or nesting 5,000 deep is an OnnxModelError, not a stack overflow', async () => {
    const dir = await fresh('strict-json');
    await writeOnnxBundle(dir, A);
    const text = await readFile(join(dir, 'manifest.json'), 'utf8');
    await writeFile(join(dir, 'manifest.json'), text.replace('"classes":', '"classes": 2, "classes":'));
    await expect(readOnnxBundle(dir)).rejects.toThrow(OnnxModelError);
    await expect(readOnnxBundle(dir)).rejects.toThrow(/^manifest\.json: classes: expected each key once per object, received "classes" twice/);
    await writeFile(join(dir, 'manifest.json'), `{"calibration":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    await expect(readOnnxBundle(dir)).rejects.toThrow(/^manifest\.json: calibration\[0\]\[0\].*expected at most 64 levels of nesting/);
  });

  it('refuses a bundle whose files and manifest disagree, writing nothing', async () => {
    const dir = await fresh('mismatch');
    const { 'head1.onnx': _, ...missing } = A.files;
    await expect(writeOnnxBundle(dir, { ...A, files: missing })).rejects.toThrow(OnnxModelError);
    await expect(writeOnnxBundle(dir, { ...A, files: missing })).rejects.toThrow(
      /^files\["head1\.onnx"\]: expected the bytes of the graph that manifest\.heads\[1\]\.file names, received nothing$/,
    );
    const extra = { ...A, files: { ...A.files, 'smuggled.onnx': Uint8Array.of(1) } };
    await expect(writeOnnxBundle(dir, extra)).rejects.toThrow(ArgumentError);
    await expect(writeOnnxBundle(dir, extra)).rejects.toThrow(/^files: expected only the graphs the manifest names, received files the manifest does not name: "smuggled\.onnx"$/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives readers one version, whole, while writers replace it (in one process)', async () => {
    const dir = await fresh('race');
    await writeOnnxBundle(dir, A);
    const seen: Record<string, number> = {};
    let writing = true;
    const writes = (async () => {
      for (let i = 0; i < 30; i++) await writeOnnxBundle(dir, i % 2 ? A : B);
      writing = false;
    })();
    const reads = (async () => {
      while (writing) {
        const version = versionOf(await readOnnxBundle(dir), versions);
        seen[version] = (seen[version] ?? 0) + 1;
      }
    })();
    await Promise.all([writes, reads]);
    expect(Object.keys(seen).every((v) => v === 'A' || v === 'B')).toBe(true);
    expect(await sorted(dir)).toEqual(['manifest.json', ...Object.keys((await readOnnxBundle(dir)).files)].sort());
  });

  it('lets concurrent writers take turns: the result is one of them, whole', async () => {
    const dir = await fresh('writers');
    await Promise.all([writeOnnxBundle(dir, A), writeOnnxBundle(dir, B), writeOnnxBundle(dir, A)]);
    const read = await readOnnxBundle(dir);
    expect(versionOf(read, versions)).toMatch(/^[AB]$/);
    expect(await sorted(dir)).toEqual(['manifest.json', ...Object.keys(read.files)].sort());
  });

  it("removes what killed writers left (graphs, temporaries, their lock) and keeps a live writer's temporaries", async () => {
    const dir = await fresh('leftovers');
    await writeOnnxBundle(dir, A);
    const dead = await deadPid();
    const leftovers = [
      'stage0.0123456789abcdef.onnx',
      `full.fedcba9876543210.onnx.${dead}-0123456789ab.tmp`,
      `manifest.json.${dead}-0123456789ab.tmp`,
      `${BUNDLE_LOCK_FILE}.${dead}-0123456789ab.tmp`,
    ];
    for (const name of leftovers) await writeFile(join(dir, name), 'partial');
    await writeFile(join(dir, BUNDLE_LOCK_FILE), `${dead}\n`);
    const live = `full.fedcba9876543210.onnx.${process.ppid}-0123456789ab.tmp`;
    const unrelated = ['early-exit.onnx', 'results.json', 'notes.tmp'];
    for (const name of [live, ...unrelated]) await writeFile(join(dir, name), 'keep');
    const b = await writeOnnxBundle(dir, B);
    expect(await sorted(dir)).toEqual(['manifest.json', ...Object.keys(b.files), live, ...unrelated].sort());
  });
});

describe('bundles of the first format (manifest version 1)', () => {
  async function version1(dir: string): Promise<void> {
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...A.manifest, version: 1 }));
    for (const [name, bytes] of Object.entries(A.files)) await writeFile(join(dir, name), bytes);
    await writeFile(join(dir, 'samples.bin'), 'not part of the bundle');
  }

  it('are refused with an error saying how to convert them', async () => {
    const dir = await fresh('v1');
    await version1(dir);
    await expect(readOnnxBundle(dir)).rejects.toThrow(ArgumentError);
    await expect(readOnnxBundle(dir)).rejects.toThrow(
      /^manifest\.version: expected 2, received 1 \(a bundle of the first format, without file digests: convert it once with upgradeOnnxBundle\(dir\)/,
    );
  });

  it('are converted in place by upgradeOnnxBundle (names kept), then replaced whole by the next write', async () => {
    const dir = await fresh('upgrade');
    await version1(dir);
    const before = await sorted(dir);
    const { bundle, upgraded } = await upgradeOnnxBundle(dir);
    expect(upgraded).toBe(true);
    expect(await sorted(dir)).toEqual(before);
    expect(bundle.manifest.full).toEqual({ ...A.manifest.full, sha256: sha256(A.files['full.onnx']!) });
    const read = await readOnnxBundle(dir);
    expect(read.manifest).toEqual(bundle.manifest);
    expect(versionOf(read, versions)).toBe('A');
    expect((await upgradeOnnxBundle(dir)).upgraded).toBe(false);
    const b = await writeOnnxBundle(dir, B);
    expect(await sorted(dir)).toEqual(['manifest.json', 'samples.bin', ...Object.keys(b.files)].sort());
  });
});

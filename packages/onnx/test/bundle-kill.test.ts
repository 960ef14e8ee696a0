import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createRng } from '@offramp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnnxBundle } from '../src/index.js';
import { readOnnxBundle, writeOnnxBundle } from '../src/node.js';
import { fakeBundle, versionOf } from './fake-bundle.js';
import { killHard, moduleForChild, startWriter } from '../../core/test/writer-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const KILLS = 20;
/** Seven graphs of 48 kB each: a write takes a few milliseconds, so kills land in every phase of it. */
const versions = { A: fakeBundle(11, 48 * 1024), B: fakeBundle(12, 48 * 1024) };

const asJson = (bundle: OnnxBundle) => ({
  manifest: bundle.manifest,
  files: Object.fromEntries(Object.entries(bundle.files).map(([name, bytes]) => [name, Buffer.from(bytes).toString('base64')])),
});

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'offramp-bundle-kill-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('a bundle writer killed at random moments', () => {
  it(`leaves version A or B whole every time (${KILLS} kills), and the next write leaves nothing else`, async () => {
    const dir = join(folder, 'bundle');
    const versionsFile = join(folder, 'versions.json');
    await writeFile(versionsFile, JSON.stringify([asJson(versions.A), asJson(versions.B)]));
    await writeOnnxBundle(dir, versions.A);
    const { execArgv, url } = await moduleForChild(join(here, '..'), 'node');
    const rng = createRng(20_240_608);
    const seen: Record<string, number> = {};
    let reads = 0;
    let leftovers = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const writer = await startWriter(execArgv, join(here, 'kill', 'bundle-writer.mjs'), [url, dir, versionsFile]);
      try {
        // read while the writer replaces the bundle: every read is one version, whole
        const until = Date.now() + 2 + rng.int(60);
        do {
          expect(versionOf(await readOnnxBundle(dir), versions)).toMatch(/^[AB]$/);
          reads++;
          await sleep(rng.int(4));
        } while (Date.now() < until);
      } finally {
        await killHard(writer);
      }
      const read = await readOnnxBundle(dir);
      const version = versionOf(read, versions);
      expect(version).toMatch(/^[AB]$/);
      seen[version] = (seen[version] ?? 0) + 1;
      if ((await readdir(dir)).length > Object.keys(read.files).length + 1) leftovers++;
    }
    const last = await writeOnnxBundle(dir, versions.B);
    expect((await readdir(dir)).sort()).toEqual(['manifest.json', ...Object.keys(last.files)].sort());
    expect(versionOf(await readOnnxBundle(dir), versions)).toBe('B');
    console.info(
      `bundle kill test: ${KILLS} kills, versions after kills ${JSON.stringify(seen)}, ${reads} reads during writes, ` +
        `${leftovers} kills left files of an unfinished write (graphs, temporaries or the lock), none after the last write`,
    );
  }, 60_000);
});

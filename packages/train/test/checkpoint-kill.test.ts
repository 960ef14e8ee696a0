import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createRng } from '@offramp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckpointEntry, readCheckpoint, writeCheckpoint } from '../src/index.js';
import { killHard, moduleForChild, startWriter } from '../../core/test/writer-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const KILLS = 20;

/** Versions A and B: the same names and shapes (about 400 kB), different values. */
const versions = [1, 2].map((v) => [
  { name: 'net/kernel', shape: [256, 256], seed: 100 * v + 1 },
  { name: 'net/bias', shape: [256], seed: 100 * v + 2 },
  { name: 'head/kernel', shape: [256, 128], seed: 100 * v + 3 },
]);

function entriesOf(variables: (typeof versions)[number]): CheckpointEntry[] {
  return variables.map(({ name, shape, seed }) => {
    const rng = createRng(seed);
    const size = shape.reduce((a, b) => a * b, 1);
    return { name, shape, values: Float32Array.from({ length: size }, () => rng.next() * 2 - 1) };
  });
}
const expected = versions.map(entriesOf);

/** 'A' or 'B' when `entries` equal that version in every name, shape and value; otherwise a description. */
function versionOf(entries: readonly CheckpointEntry[]): string {
  const same = (a: readonly CheckpointEntry[], b: readonly CheckpointEntry[]): boolean =>
    a.length === b.length &&
    a.every(
      (e, i) =>
        e.name === b[i]!.name &&
        e.shape.join() === b[i]!.shape.join() &&
        e.values.length === b[i]!.values.length &&
        e.values.every((x, k) => Object.is(x, b[i]!.values[k])),
    );
  if (same(entries, expected[0]!)) return 'A';
  if (same(entries, expected[1]!)) return 'B';
  return `a mix (${entries.map((e) => e.name).join(', ')})`;
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'offramp-checkpoint-kill-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('a checkpoint writer killed at random moments', () => {
  it(`leaves version A or B whole every time (${KILLS} kills), and the next write leaves no temporary`, async () => {
    const target = join(folder, 'model.ckpt');
    await writeCheckpoint(target, expected[0]!);
    const { execArgv, url } = await moduleForChild(join(here, '..'), 'checkpoint-file');
    const rng = createRng(20_240_607);
    const seen: Record<string, number> = {};
    let reads = 0;
    let strays = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const writer = await startWriter(execArgv, join(here, 'kill', 'checkpoint-writer.mjs'), [url, target, JSON.stringify(versions)]);
      try {
        // read while the writer writes: every read is one version, whole
        const until = Date.now() + 2 + rng.int(60);
        do {
          expect(versionOf(await readCheckpoint(target))).toMatch(/^[AB]$/);
          reads++;
          await sleep(rng.int(4));
        } while (Date.now() < until);
      } finally {
        await killHard(writer);
      }
      const version = versionOf(await readCheckpoint(target));
      expect(version).toMatch(/^[AB]$/);
      seen[version] = (seen[version] ?? 0) + 1;
      if ((await readdir(folder)).length > 1) strays++;
    }
    await writeCheckpoint(target, expected[1]!);
    expect(await readdir(folder)).toEqual(['model.ckpt']);
    expect(versionOf(await readCheckpoint(target))).toBe('B');
    console.info(
      `checkpoint kill test: ${KILLS} kills, versions after kills ${JSON.stringify(seen)}, ${reads} reads during writes, ` +
        `${strays} kills left a half-written temporary (removed by the next writer), none after the last write`,
    );
  }, 60_000);
});

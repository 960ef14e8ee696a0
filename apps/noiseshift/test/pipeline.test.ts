import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NOISESHIFT_OPTIONS, type NoiseShiftOptions } from '../src/options.js';
import { runNoiseShift } from '../src/pipeline.js';

async function tinyOptions(): Promise<NoiseShiftOptions> {
  const dir = await mkdtemp(join(tmpdir(), 'noiseshift-'));
  return {
    ...DEFAULT_NOISESHIFT_OPTIONS,
    native: 8,
    resolutions: [8, 4],
    split: { train: 256, validation: 64, test: 64 },
    widths: [4, 8],
    embedding: 8,
    epochs: 1,
    controlEpochs: 1,
    batchSize: 32,
    classifierEpochs: 1,
    featureSize: 4,
    steps: 3,
    seeds: [1, 2],
    samples: 16,
    calibrationImages: 16,
    errorImages: 16,
    search: { coarse: 3, fine: 3, rounds: 1 },
    cacheDir: join(dir, 'cache'),
    outDir: join(dir, 'results'),
    progress: false,
    log: () => {},
  };
}

describe('runNoiseShift (tiny setting)', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('trains, calibrates, samples and evaluates, writes every result, and a second run reuses the cache', async () => {
    const o = await tinyOptions();
    const start = tf.memory().numTensors;
    const first = await runNoiseShift(o);
    expect(first.cached).toBe(false);
    // native-only model at 8 and 4, control at 4; each with and without the table
    expect(first.results.map((r) => `${r.model} ${r.side} ${r.mode}`)).toEqual([
      'native-only 8 scheduled',
      'native-only 8 noiseshift',
      'native-only 4 scheduled',
      'native-only 4 noiseshift',
      'all-sides 4 scheduled',
      'all-sides 4 noiseshift',
    ]);
    for (const r of first.results) {
      expect(r.frechet).toHaveLength(2);
      expect(r.frechet.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      expect(r.denoisingError.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
      expect(r.digitShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    expect(first.tables.map((t) => [t.model, t.table.resolution, t.table.levels.length])).toEqual([
      ['native-only', 8, 3],
      ['native-only', 4, 3],
      ['all-sides', 4, 3],
    ]);
    const files = (await readdir(o.outDir)).sort();
    expect(files).toEqual(['calibration.svg', 'noiseshift-gain.svg', 'noiseshift.json', 'noiseshift.md', 'samples-4.png', 'samples-8.png']);
    const json = JSON.parse(await readFile(join(o.outDir, 'noiseshift.json'), 'utf8'));
    expect(json.results).toHaveLength(6);
    expect(await readFile(join(o.outDir, 'calibration.svg'), 'utf8')).toContain('<svg');

    expect(tf.memory().numTensors).toBe(start);
    const second = await runNoiseShift(o);
    expect(second.cached).toBe(true);
    expect(second.tables).toEqual(first.tables);
    expect(second.results.map((r) => r.frechet)).toEqual(first.results.map((r) => r.frechet));
    expect(tf.memory().numTensors).toBe(start);
  });

  it('rejects a side that does not divide the padded 32 or is odd', async () => {
    const o = await tinyOptions();
    await expect(runNoiseShift({ ...o, resolutions: [8, 3] })).rejects.toThrow(/resolutions\[1\]/);
    await expect(runNoiseShift({ ...o, native: 12, resolutions: [12] })).rejects.toThrow(/native/);
    await expect(runNoiseShift({ ...o, resolutions: [4, 8] })).rejects.toThrow(/resolutions\[0\]/);
  });
});

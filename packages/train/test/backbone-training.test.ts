import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointPath, trainOrLoadBackbone } from '../src/index.js';
import { blobs, denseModule } from './jei-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = blobs(96, 3);
const batchesOf = (size: number) => (): Iterable<{ images: Float32Array; labels: Int32Array; size: number }> => {
  const out = [];
  for (let start = 0; start < data.n; start += size) {
    const count = Math.min(size, data.n - start);
    out.push({ images: data.images.subarray(start * 4, (start + count) * 4), labels: data.labels.subarray(start, start + count), size: count });
  }
  return out;
};

function network(prefix: string) {
  const stages = [denseModule(`${prefix}/s0`, 4, 8, 1, true), denseModule(`${prefix}/s1`, 8, 8, 2, true)];
  const head = denseModule(`${prefix}/head`, 8, 3, 3, false);
  const dispose = () => {
    for (const m of [...stages, head]) m.dispose();
  };
  return { stages, head, dispose };
}

describe('trainOrLoadBackbone', () => {
  it('trains the stages and the last head, then loads the same weights from the checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'backbone-'));
    const path = checkpointPath(dir, 'tiny', { widths: [8, 8], epochs: 6 });
    const first = network('first');
    const options = {
      inputShape: [4],
      batches: batchesOf(16),
      batchesPerEpoch: 6,
      epochs: 6,
      learningRate: 0.05,
      progress: false as const,
      checkpoint: path,
    };
    const trained = await trainOrLoadBackbone({ ...options, stages: first.stages, head: first.head });
    expect(trained.fromCache).toBe(false);
    expect(trained.losses).toHaveLength(6);
    expect(trained.losses[5]!).toBeLessThan(trained.losses[0]! * 0.7);
    expect(await readdir(dir)).toEqual([path.split('/').pop()]);

    const second = network('first-copy');
    // variable names differ per copy, so the checkpoint keeps the first copy's names: load into renamed variables fails
    await expect(trainOrLoadBackbone({ ...options, stages: second.stages, head: second.head })).rejects.toThrow(/name/);
    second.dispose();

    const weights = await Promise.all([...first.stages.flatMap((s) => [...s.variables]), ...first.head.variables].map((v) => v.data()));
    first.dispose();
    const again = network('first');
    const before = tf.memory().numTensors;
    const loaded = await trainOrLoadBackbone({ ...options, stages: again.stages, head: again.head });
    expect(loaded.fromCache).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const reloaded = await Promise.all([...again.stages.flatMap((s) => [...s.variables]), ...again.head.variables].map((v) => v.data()));
    reloaded.forEach((values, i) => {
      expect(Array.from(values)).toEqual(Array.from(weights[i]!));
    });
    again.dispose();
  });

  it('names checkpoints by a hash of what the weights depend on', () => {
    const a = checkpointPath('/cache', 'digits-backbone', { epochs: 8, seed: 7 });
    expect(a).toMatch(/^\/cache\/digits-backbone-[0-9a-f]{12}\.ckpt$/);
    expect(checkpointPath('/cache', 'digits-backbone', { epochs: 8, seed: 7 })).toBe(a);
    expect(checkpointPath('/cache', 'digits-backbone', { epochs: 9, seed: 7 })).not.toBe(a);
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import { createRng } from '@offramp/core';
import { createImageDataset } from '@offramp/data';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MUE_OPTIONS } from '../src/options.js';
import { buildTasks } from '../src/tasks.js';
import { checkpointPath, trainOrLoad } from '../src/train-model.js';

const tiny = { ...DEFAULT_MUE_OPTIONS, train: 24, dModel: 16, heads: 2, encoderLayers: 2, decoderLayers: 2, epochs: 1, batchSize: 8, progress: false, log: () => {} };

describe('training recipes', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('keeps the checkpoint key of the models trained before distillation existed, and gives distillation its own', () => {
    const hash = (key: unknown[]) => `mue-${createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 12)}.ckpt`;
    const settings = [tiny.dModel, tiny.heads, tiny.encoderLayers, tiny.decoderLayers, tiny.epochs, tiny.batchSize, tiny.learningRate, tiny.seed, tiny.train];
    expect(basename(checkpointPath('/c', { ...tiny, encoderRecipe: 'mixed-depth', distillation: 0 }))).toBe(hash(['pairs', 'linear-decay', 'mixed-depth', ...settings]));
    expect(basename(checkpointPath('/c', { ...tiny, encoderRecipe: 'full', distillation: 0 }))).toBe(hash(['pairs', 'linear-decay', ...settings]));
    const distilled = checkpointPath('/c', { ...tiny, encoderRecipe: 'mixed-depth', distillation: 1 });
    expect(basename(distilled)).toBe(hash(['pairs', 'linear-decay', 'mixed-depth', 'distill-1', ...settings]));
  });

  it('trains with the shallow-image recipe and self-distillation without leaking tensors, and loads it back', async () => {
    const n = 40;
    const rng = createRng(3);
    const pixels = Float32Array.from({ length: n * 784 }, () => rng.next());
    const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
    const tasks = buildTasks(createImageDataset(pixels, labels, [28, 28, 1], 10), { train: 24, validation: 8, test: 8 }, 1);
    const cacheDir = await mkdtemp(join(tmpdir(), 'mue-train-'));
    const o = { ...tiny, encoderRecipe: 'mixed-shallow-image' as const, distillation: 1, cacheDir };
    const before = tf.memory().numTensors;
    const trained = await trainOrLoad(o, [tasks.entailment.train, tasks.caption.train]);
    expect(trained.cached).toBe(false);
    const weights = trained.model.variables.map((v) => Array.from(v.dataSync()));
    expect(weights.flat().every(Number.isFinite)).toBe(true);
    trained.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const loaded = await trainOrLoad(o, [tasks.entailment.train, tasks.caption.train]);
    expect(loaded.cached).toBe(true);
    expect(loaded.model.variables.map((v) => Array.from(v.dataSync()))).toEqual(weights);
    loaded.model.dispose();
  }, 120_000);
});

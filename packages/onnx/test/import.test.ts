import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import { argmaxRows, collectTrace, computeExitCosts, evaluateTrace, runEarlyExit, shapeSize, createExitPolicy } from '@offramp/core';
import { loadMnistDigits, splitDataset } from '@offramp/data';
import { maxProbGate } from '@offramp/gates';
import { createLinearHead, type TfModule } from '@offramp/heads';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportHead } from '../src/export.js';
import {
  buildBundle,
  cutModel,
  type ExitPoint,
  extractFeatures,
  importOnnxBackbone,
  MissingTensorError,
  nchwToNhwc,
  OnnxEngine,
  OnnxModelError,
} from '../src/index.js';
import { maxAbsDiff, maxScaledDiff, nodeRuntime } from './helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

interface Fixture {
  readonly inputShape: number[];
  readonly exits: ExitPoint[];
  readonly stageFiles: string[];
  readonly probe: { batch: number; input: number[]; features: number[][] };
}

let fixture: Fixture;
let model: Uint8Array;
const MACS = [6272 * 9, 3136 * 8 * 9, 784 * 64];

beforeAll(async () => {
  fixture = JSON.parse(await readFile(join(FIXTURES, 'torch-cnn.json'), 'utf8')) as Fixture;
  model = new Uint8Array(await readFile(join(FIXTURES, 'torch-cnn.onnx')));
  await useWasmBackend();
});

/** The probe's expected features as the host sees them (channels-last). */
function expectedHost(l: number): Float32Array {
  const raw = Float32Array.from(fixture.probe.features[l]!);
  const exit = fixture.exits[l]!;
  return exit.layout === 'NCHW' ? nchwToNhwc(raw, fixture.probe.batch, exit.shape) : raw;
}

describe('importing a model exported by PyTorch', () => {
  it('cuts it at the named tensors into stages that hold only their own nodes', () => {
    const cut = cutModel(model, fixture.exits);
    expect(cut.input.shape).toEqual([1, 28, 28]);
    expect(cut.stages.map((s) => s.output)).toEqual(fixture.exits.map((e) => e.tensor));
    const ops = cut.stages.map((s) => {
      const text = new TextDecoder('latin1').decode(s.model);
      return { conv: text.includes('Conv'), gemm: text.includes('Gemm') };
    });
    expect(ops).toEqual([
      { conv: true, gemm: false },
      { conv: true, gemm: false },
      { conv: false, gemm: true },
    ]);
    // The model's own classifier (a second Gemm after the last exit) is in no stage.
    const total = cut.stages.reduce((a, s) => a + s.nodes, 0);
    expect(total).toBeLessThan(countNodes(model));
  });

  it.each(['one model cut at tensors', 'one file per stage'])('gives the features torch computed (%s)', async (kind) => {
    const backbone =
      kind === 'one model cut at tensors'
        ? await importOnnxBackbone({ model, exits: fixture.exits, macs: MACS })
        : await importOnnxBackbone({
            stages: await Promise.all(
              fixture.stageFiles.map(async (file, l) => ({
                model: new Uint8Array(await readFile(join(FIXTURES, file))),
                ...fixture.exits[l]!,
              })),
            ),
            macs: MACS,
          });
    expect(backbone.inputShape).toEqual([1, 28, 28]);
    expect(backbone.headInputShapes).toEqual([[14, 14, 8], [7, 7, 16], [64]]);
    const features = await extractFeatures(
      await nodeRuntime(),
      backbone,
      Float32Array.from(fixture.probe.input),
      fixture.probe.batch,
      { batchSize: 2 },
    );
    features.forEach((f, l) => {
      expect(maxAbsDiff(f, expectedHost(l))).toBeLessThan(1e-5);
    });
  });

  it('names a missing tensor in a typed error', () => {
    const exits = [fixture.exits[0]!, { ...fixture.exits[1]!, tensor: 'no/such/tensor' }];
    expect(() => cutModel(model, exits)).toThrow(MissingTensorError);
    expect(() => cutModel(model, exits)).toThrow(/exits\[1\]\.tensor.*no\/such\/tensor/);
  });

  it('reports a truncated file with a typed error', async () => {
    const truncated = model.subarray(0, Math.floor(model.length * 0.6));
    expect(() => cutModel(truncated, fixture.exits)).toThrow(OnnxModelError);
    await expect(importOnnxBackbone({ stages: [{ model: truncated, ...fixture.exits[0]! }], macs: [1] })).rejects.toThrow(
      OnnxModelError,
    );
  });

  it('rejects exits out of order and bad feature specs', async () => {
    expect(() => cutModel(model, [fixture.exits[1]!, fixture.exits[0]!])).toThrow(OnnxModelError);
    expect(() => cutModel(model, [{ ...fixture.exits[0]!, layout: 'NCHW', shape: [8, 14] }])).toThrow(/shape/);
    await expect(importOnnxBackbone({ model, exits: fixture.exits, macs: [1] })).rejects.toThrow(/macs/);
  });
});

function countNodes(bytes: Uint8Array): number {
  return cutModel(bytes, [{ tensor: 'y', shape: [10], layout: 'flat' }]).stages[0]!.nodes;
}

/** Trains a linear head on host features with full-batch Adam; returns it. */
function trainHead(features: Float32Array, labels: Int32Array, shape: number[], seed: number): TfModule {
  const head = createLinearHead({ inputShape: shape, classes: 10, pool: 'flatten', seed });
  const n = labels.length;
  const optimizer = tf.train.adam(0.01);
  const x = tf.tensor(features, [n, ...shape]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  for (let step = 0; step < 60; step++) {
    tf.tidy(() => {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, head.apply(x, true)) as tf.Scalar, false, [
        ...head.variables,
      ]);
    });
  }
  x.dispose();
  y.dispose();
  optimizer.dispose();
  return head;
}

describe('heads and a gate on imported features', () => {
  it('train, export and run with real early exit that matches trace evaluation', async () => {
    const runtime = await nodeRuntime();
    const backbone = await importOnnxBackbone({ model, exits: fixture.exits, macs: MACS }, { runtime });
    const split = splitDataset(await loadMnistDigits(), { train: 500, validation: 0, test: 300, seed: 3 });
    const train = await extractFeatures(runtime, backbone, split.train.images, split.train.n);
    const heads = backbone.headInputShapes.map((shape, l) => trainHead(train[l]!, split.train.labels, shape, 40 + l));
    try {
      const bundle = buildBundle({
        inputShape: backbone.inputShape,
        classes: 10,
        stages: backbone.stages,
        heads: heads.map((h, l) => exportHead(h, backbone.stages[l]!.feature, `heads[${l}]`)),
      });
      const engine = await OnnxEngine.create(runtime, bundle);
      const { images, labels, n } = split.test;
      const trace = await collectTrace(engine, images, n, { hidden: true });

      // The ONNX heads give what the tfjs heads give on the same features.
      trace.hidden!.forEach((h, l) => {
        const expected = tf.tidy(() => heads[l]!.apply(tf.tensor(h, [n, ...backbone.headInputShapes[l]!])).dataSync());
        expect(maxScaledDiff(trace.logits[l]!, expected)).toBeLessThan(1e-5);
        expect(h.length).toBe(n * shapeSize(backbone.headInputShapes[l]!));
      });

      const accuracy = (pred: Int32Array) => pred.filter((p, i) => p === labels[i]).length / n;
      const costs = computeExitCosts({ stageMacs: MACS, headMacs: heads.map((h) => h.macs) });
      const gate = maxProbGate.create({}, { exits: 3, classes: 10 });
      // Random (untrained) torch features still carry the digits: every exit is far above chance (0.1).
      const perExit = trace.probs.map((p) => accuracy(argmaxRows(p, 10)));
      for (const a of perExit) expect(a).toBeGreaterThan(0.4);
      const last = perExit[2]!;
      // The gate's threshold: the lowest on a grid that keeps accuracy within 2 points of the last exit.
      const threshold = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1].find(
        (t) => accuracy(evaluateTrace(trace, gate, t, costs).prediction) >= last - 0.02,
      )!;
      const fromTrace = evaluateTrace(trace, gate, threshold, costs);
      const real = await runEarlyExit(engine, createExitPolicy({ gate, thresholds: threshold, costs }), images, n);
      expect(Array.from(real.exit)).toEqual(Array.from(fromTrace.exit));
      expect(Array.from(real.prediction)).toEqual(Array.from(fromTrace.prediction));
      expect(real.exit.filter((e) => e < 2).length).toBeGreaterThan(0);
      await engine.release();
    } finally {
      for (const h of heads) h.dispose();
    }
  }, 60_000);
});

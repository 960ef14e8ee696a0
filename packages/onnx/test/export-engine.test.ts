import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCnnBackbone, createMlpBackbone, TfjsEngine, useWasmBackend } from '@offramp/backbones';
import {
  collectTrace,
  computeExitCosts,
  type Engine,
  evaluateTrace,
  InputShapeError,
  NonFiniteInputError,
  OfframpError,
  runEarlyExit, createExitPolicy
} from '@offramp/core';
import { maxProbGate } from '@offramp/gates';
import { createLinearHead, createMlpHead, type TfModule } from '@offramp/heads';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportNetwork } from '../src/export.js';
import { OnnxEngine, OnnxModelError, OnnxRunError, type OnnxValue, loadWebRuntime } from '../src/index.js';
import { readOnnxBundle, writeOnnxBundle } from '../src/node.js';
import { maxAbsDiff, nodeRuntime, uniform } from './helpers.js';

const N = 24;

interface Net {
  readonly stages: readonly TfModule[];
  readonly heads: readonly TfModule[];
  readonly inputShape: number[];
  dispose(): void;
}

function cnnNet(): Net {
  const backbone = createCnnBackbone({
    inputShape: [28, 28, 2],
    stages: [
      { filters: 4, kernelSize: 3, pool: 'max' },
      { filters: 6, kernelSize: 3, strides: 2, padding: 'same' },
      { filters: 5, kernelSize: 2, padding: 'valid', pool: 'max' },
    ],
    seed: 3,
  });
  const heads = [
    createLinearHead({ inputShape: backbone.stages[0]!.outputShape, classes: 4, pool: 'grid', seed: 10 }),
    createMlpHead({ inputShape: backbone.stages[1]!.outputShape, classes: 4, pool: 'avg', hidden: 7, seed: 11 }),
    createLinearHead({ inputShape: backbone.stages[2]!.outputShape, classes: 4, pool: 'max', seed: 12 }),
  ];
  return {
    stages: backbone.stages,
    heads,
    inputShape: [28, 28, 2],
    dispose() {
      backbone.dispose();
      for (const h of heads) h.dispose();
    },
  };
}

function mlpNet(): Net {
  const backbone = createMlpBackbone({ inputShape: [5, 4], hidden: [16, 12], seed: 5 });
  const heads = backbone.stages.map((s, l) => createLinearHead({ inputShape: s.outputShape, classes: 3, seed: 20 + l }));
  return {
    stages: backbone.stages,
    heads,
    inputShape: [5, 4],
    dispose() {
      backbone.dispose();
      for (const h of heads) h.dispose();
    },
  };
}

const costsOf = (net: Net) =>
  computeExitCosts({ stageMacs: net.stages.map((s) => s.macs), headMacs: net.heads.map((h) => h.macs) });

beforeAll(async () => {
  await useWasmBackend();
});

describe.each([
  ['cnn', cnnNet, 4],
  ['mlp', mlpNet, 3],
] as const)('exported %s network', (_kind, make, classes) => {
  let net: Net;
  let engine: OnnxEngine;
  let separate: OnnxEngine;
  let input: Float32Array;

  beforeAll(async () => {
    net = make();
    const bundle = exportNetwork({ inputShape: net.inputShape, classes, stages: net.stages, heads: net.heads });
    engine = await OnnxEngine.create(await nodeRuntime(), bundle);
    separate = await OnnxEngine.create(await nodeRuntime(), bundle, { fused: false });
    input = uniform(N * net.inputShape.reduce((a, b) => a * b, 1), 1);
  });
  afterAll(async () => {
    await engine.release();
    await separate.release();
    net.dispose();
  });

  it('gives the logits and features of the tfjs network to 1e-5 (fused and separate graphs)', async () => {
    const tfEngine = new TfjsEngine({ stages: net.stages, heads: net.heads, inputShape: net.inputShape, classes });
    const expected = await collectTrace(tfEngine, input, N, { hidden: true, batchSize: 10 });
    for (const e of [engine, separate]) {
      const got = await collectTrace(e, input, N, { hidden: true, batchSize: 10 });
      for (let l = 0; l < net.stages.length; l++) {
        expect(maxAbsDiff(got.logits[l]!, expected.logits[l]!)).toBeLessThan(1e-5);
        expect(maxAbsDiff(got.hidden![l]!, expected.hidden![l]!)).toBeLessThan(1e-5);
      }
    }
    const poisoned = input.slice();
    poisoned[5] = Number.NaN;
    await expect(engine.runFull(poisoned, N)).rejects.toBeInstanceOf(NonFiniteInputError);
    await expect(engine.runFull(input.subarray(1), N)).rejects.toBeInstanceOf(InputShapeError);
    const full = await engine.runFull(input, N);
    expect(maxAbsDiff(full, expected.logits[net.stages.length - 1]!)).toBeLessThan(1e-5);
  });

  it('an onnxruntime failure at run time is an OnnxRunError naming the stage and the graph', async () => {
    // The raw input handed to stage 1, which reads stage 0's features: onnxruntime refuses the dimensions.
    for (const [e, graph] of [[engine, 'fused1.onnx'], [separate, 'stage1.onnx']] as const) {
      const x = e.fromHost(input, N);
      const failed = e.runStage(1, x);
      await expect(failed).rejects.toBeInstanceOf(OnnxRunError);
      await expect(e.runStage(1, x)).rejects.toThrow(new RegExp(`^stage 1 \\(${graph.replace('.', '\\.')}\\): expected a run of the graph .*received an onnxruntime error: `));
      e.dispose(x);
    }
  });

  it('runs early exit exactly as trace evaluation predicts, sample for sample', async () => {
    const gate = maxProbGate.create({}, { exits: engine.exits, classes });
    const costs = costsOf(net);
    const trace = await collectTrace(engine, input, N);
    const scores = Array.from(trace.probs[0]!.keys())
      .filter((i) => i % classes === 0)
      .map((i) => Math.max(...trace.probs[0]!.subarray(i, i + classes)))
      .sort((a, b) => a - b);
    const threshold = scores[Math.floor(N / 2)]!;
    const fromTrace = evaluateTrace(trace, gate, threshold, costs);
    const real = await runEarlyExit(engine, createExitPolicy({ gate, thresholds: threshold, costs }), input, N);
    expect(Array.from(real.exit)).toEqual(Array.from(fromTrace.exit));
    expect(Array.from(real.prediction)).toEqual(Array.from(fromTrace.prediction));
    expect(Array.from(real.logits)).toEqual(Array.from(fromTrace.logits));
    expect(new Set(real.exit).size).toBeGreaterThan(1);

    // Compaction: stage l runs exactly on the samples whose exit is l or later.
    const rows = new Array<number>(engine.exits).fill(0);
    const counting: Engine<OnnxValue> = {
      exits: engine.exits,
      classes: engine.classes,
      inputShape: engine.inputShape,
      fromHost: (d, b) => engine.fromHost(d, b),
      runStage: (l, x) => {
        rows[l]! += x.batch;
        return engine.runStage(l, x);
      },
      runHead: (l, h) => engine.runHead(l, h),
      take: (x, r) => engine.take(x, r),
      toHost: (x) => engine.toHost(x),
      dispose: (x) => engine.dispose(x),
    };
    await runEarlyExit(counting, createExitPolicy({ gate, thresholds: threshold, costs }), input, N);
    expect(rows).toEqual(rows.map((_, l) => real.exit.filter((e) => e >= l).length));
  });
});

describe('export', () => {
  it('does not leak tensors', () => {
    const net = cnnNet();
    try {
      const options = { inputShape: net.inputShape, classes: 4, stages: net.stages, heads: net.heads };
      exportNetwork(options);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) exportNetwork(options);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      net.dispose();
    }
  });

  it('rejects a module without a layer description, naming it', () => {
    const net = mlpNet();
    try {
      const bare: TfModule = { ...net.heads[0]!, name: 'bare' };
      expect(() =>
        exportNetwork({ inputShape: net.inputShape, classes: 3, stages: net.stages, heads: [bare, net.heads[1]!] }),
      ).toThrow(/heads\[0\].*layer description/);
    } finally {
      net.dispose();
    }
  });

  it('rejects heads that do not match the stages', () => {
    const net = mlpNet();
    try {
      expect(() =>
        exportNetwork({ inputShape: net.inputShape, classes: 3, stages: net.stages, heads: [net.heads[0]!] }),
      ).toThrow(OfframpError);
      expect(() =>
        exportNetwork({ inputShape: net.inputShape, classes: 3, stages: net.stages, heads: [net.heads[1]!, net.heads[0]!] }),
      ).toThrow(/heads\[0\]/);
    } finally {
      net.dispose();
    }
  });

  it('writes and reads a bundle with its manifest, and reports a truncated graph with a typed error', async () => {
    const net = mlpNet();
    const dir = await mkdtemp(join(tmpdir(), 'offramp-onnx-'));
    try {
      const bundle = exportNetwork({
        inputShape: net.inputShape,
        classes: 3,
        stages: net.stages,
        heads: net.heads,
        policy: { gate: 'max-prob', thresholds: [0.8] },
        calibration: { temperatures: [1, 1] },
      });
      const written = await writeOnnxBundle(dir, bundle);
      const read = await readOnnxBundle(dir);
      expect(read.manifest).toEqual(written.manifest);
      expect(Object.keys(read.files).sort()).toEqual(Object.keys(written.files).sort());
      for (const [name, bytes] of Object.entries(read.files)) expect(Buffer.from(bytes).equals(written.files[name]!)).toBe(true);
      expect(read.manifest).toEqual(
        JSON.parse(JSON.stringify({ ...bundle.manifest, ...pick(written.manifest, ['stages', 'heads', 'fused', 'full']) })),
      );
      expect(read.manifest.macs.stages).toEqual([20 * 16, 16 * 12]);
      const input = uniform(4 * 20, 9);
      const a = await OnnxEngine.create(await nodeRuntime(), read);
      const b = await OnnxEngine.create(await nodeRuntime(), bundle);
      expect(maxAbsDiff(await a.runFull(input, 4), await b.runFull(input, 4))).toBe(0);
      await a.release();
      await b.release();

      // File names are confined to the bundle folder: a manifest naming a file outside it is refused, not read.
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      for (const [file, field] of [
        ['../../../../etc/hostname', 'manifest.stages[0].file'],
        ['../other-bundle/fused1.onnx', 'manifest.stages[0].file'],
        ['/etc/passwd.onnx', 'manifest.stages[0].file'],
      ] as const) {
        await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, stages: [{ ...manifest.stages[0], file }, manifest.stages[1]] }));
        const refused = readOnnxBundle(dir);
        await expect(refused).rejects.toThrow(field);
        await expect(refused).rejects.toThrow(/inside the bundle folder/);
      }
      // A manifest nested 5,000 deep is a typed error, not a stack overflow.
      const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      const text = JSON.stringify({ ...manifest, stages: ['DEEP', manifest.stages[1]] }).replace('"DEEP"', deep);
      await writeFile(join(dir, 'manifest.json'), text);
      await expect(readOnnxBundle(dir)).rejects.toThrow(OnnxModelError);
      await expect(readOnnxBundle(dir)).rejects.toThrow(/^manifest\.json: stages\[0\](\.a)+: expected at most 64 levels of nesting/);
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));

      // A truncated graph on disk no longer matches its SHA-256; given in memory, the engine refuses it.
      const stage1 = read.manifest.stages[1]!.file;
      const bytes = await readFile(join(dir, stage1));
      await writeFile(join(dir, stage1), bytes.subarray(0, Math.floor(bytes.length / 2)));
      await expect(readOnnxBundle(dir)).rejects.toThrow(OnnxModelError);
      await expect(readOnnxBundle(dir)).rejects.toThrow(`manifest file ${JSON.stringify(stage1)}: expected bytes with SHA-256`);
      const truncated = { ...read, files: { ...read.files, [stage1]: bytes.subarray(0, Math.floor(bytes.length / 2)) } };
      await expect(OnnxEngine.create(await nodeRuntime(), truncated)).rejects.toBeInstanceOf(OnnxModelError);
      await writeFile(join(dir, 'manifest.json'), '{"format":"offramp-onnx","version":1,"inputShape":[20]}');
      await expect(readOnnxBundle(dir)).rejects.toThrow(/manifest/);
    } finally {
      await rm(dir, { recursive: true, force: true });
      net.dispose();
    }
  });

  it('checks the manifest against the graphs when it opens them: class count, input and feature shapes, names', async () => {
    const net = mlpNet();
    try {
      const bundle = exportNetwork({ inputShape: net.inputShape, classes: 3, stages: net.stages, heads: net.heads });
      const runtime = await nodeRuntime();
      const opened = (manifest: object) => OnnxEngine.create(runtime, { ...bundle, manifest: { ...bundle.manifest, ...manifest } as typeof bundle.manifest });
      // A manifest saying 5 classes for graphs giving 3 logits.
      await expect(opened({ classes: 5 })).rejects.toThrow(/head0\.onnx: manifest\.heads\[0\]\.outputs\[0\]: expected per-sample shape \[5\] \(manifest\), received \[.*3\] declared by the graph/);
      // A manifest input shape that is not the graph's.
      await expect(opened({ inputShape: [4, 5] })).rejects.toThrow(/manifest\.stages\[0\]\.input: expected per-sample shape \[4, 5\]/);
      // A head output name the graph does not have.
      const heads = bundle.manifest.heads.map((h, l) => (l === 1 ? { ...h, outputs: ['nope'] } : h));
      const wrongName = opened({ heads });
      await expect(wrongName).rejects.toBeInstanceOf(OnnxModelError);
      await expect(wrongName).rejects.toThrow(/head1\.onnx: manifest\.heads\[1\]\.outputs\[0\]: expected an output of the graph/);
      // A feature shape that is not what stage 0 gives (and stage 1 and head 0 read).
      const width = bundle.manifest.stages[0]!.feature.shape[0]!;
      const stages = bundle.manifest.stages.map((s, l) => (l === 0 ? { ...s, feature: { ...s.feature, shape: [width + 1] } } : s));
      await expect(opened({ stages })).rejects.toThrow(
        new RegExp(`stage0\\.onnx: manifest\\.stages\\[0\\]\\.outputs\\[0\\]: expected per-sample shape \\[${width + 1}\\] \\(manifest\\), received \\[.*${width}\\] declared by the graph`),
      );
    } finally {
      net.dispose();
    }
  });

  it('runs the same graphs in onnxruntime-web (the browser runtime, here as the Node fallback)', async () => {
    const net = mlpNet();
    try {
      const bundle = exportNetwork({ inputShape: net.inputShape, classes: 3, stages: net.stages, heads: net.heads });
      const input = uniform(6 * 20, 4);
      const web = await OnnxEngine.create(await loadWebRuntime(), bundle);
      const native = await OnnxEngine.create(await nodeRuntime(), bundle);
      expect(maxAbsDiff(await web.runFull(input, 6), await native.runFull(input, 6))).toBeLessThan(1e-5);
      await web.release();
      await native.release();
    } finally {
      net.dispose();
    }
  });
});

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}

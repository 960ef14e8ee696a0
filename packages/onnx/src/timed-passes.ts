import { type Engine, type ExitCosts, type ExitPolicy, type ExitResult, runEarlyExit, runEarlyExitPooled, shapeSize } from '@offramp/core';
import type { CompiledEarlyExit, CompiledResult } from './compile/index.js';
import type { OnnxEngine } from './onnx-engine.js';

/** Predictions, exits and MACs of a pass over a data set, and how long it took. */
export interface Pass {
  /** Wall-clock seconds. */
  readonly seconds: number;
  /** CPU seconds of the process (user + system): robust to other jobs taking the cores. */
  readonly cpuSeconds: number;
  readonly prediction: Int32Array;
  readonly exit: Int32Array;
  readonly macs: Float64Array;
}

function chunks(n: number, batch: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += batch) out.push([start, Math.min(batch, n - start)]);
  return out;
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
  return best;
}

/** Wall-clock and CPU time of `run`. */
export async function clock(run: () => Promise<void>): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** The single full-model graph over the data, `batch` samples per call. */
export async function fullModelPass(
  engine: OnnxEngine,
  images: Float32Array,
  n: number,
  batch: number,
  fullMacs: number,
): Promise<Pass> {
  const perSample = shapeSize(engine.inputShape);
  const classes = engine.classes;
  const prediction = new Int32Array(n);
  const parts = chunks(n, batch);
  const inputs = parts.map(([start, count]) => images.subarray(start * perSample, (start + count) * perSample));
  const outputs: Float32Array[] = [];
  const { seconds, cpuSeconds } = await clock(async () => {
    for (let i = 0; i < parts.length; i++) outputs.push(await engine.runFull(inputs[i]!, parts[i]![1]));
  });
  parts.forEach(([start, count], i) => {
    for (let r = 0; r < count; r++) prediction[start + r] = argmax(outputs[i]!.subarray(r * classes, (r + 1) * classes));
  });
  return {
    seconds,
    cpuSeconds,
    prediction,
    exit: new Int32Array(n).fill(engine.exits - 1),
    macs: new Float64Array(n).fill(fullMacs),
  };
}

/** Real early exit (runEarlyExit with batch compaction) over the data, `batch` samples per call. */
export async function earlyExitPass<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  images: Float32Array,
  n: number,
  batch: number,
): Promise<Pass> {
  const perSample = shapeSize(engine.inputShape);
  const parts = chunks(n, batch);
  const inputs = parts.map(([start, count]) => images.subarray(start * perSample, (start + count) * perSample));
  const results: ExitResult[] = [];
  const { seconds, cpuSeconds } = await clock(async () => {
    for (let i = 0; i < parts.length; i++) results.push(await runEarlyExit(engine, policy, inputs[i]!, parts[i]![1]));
  });
  const prediction = new Int32Array(n);
  const exit = new Int32Array(n);
  const macs = new Float64Array(n);
  parts.forEach(([start], i) => {
    const r = results[i]!;
    prediction.set(r.prediction, start);
    exit.set(r.exit, start);
    macs.set(r.macs, start);
  });
  return { seconds, cpuSeconds, prediction, exit, macs };
}

/**
 * Early exit with survivors pooled across batches (runEarlyExitPooled): the same batches as
 * earlyExitPass, but a stage runs only when `minRows` rows wait for it, so late stages see full
 * batches; the rest is flushed at the end of the data.
 */
export async function pooledEarlyExitPass<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  images: Float32Array,
  n: number,
  batch: number,
  minRows: number,
): Promise<Pass> {
  const perSample = shapeSize(engine.inputShape);
  const batches = chunks(n, batch).map(([start, count]) => ({
    input: images.subarray(start * perSample, (start + count) * perSample),
    batch: count,
  }));
  let result: ExitResult | undefined;
  const { seconds, cpuSeconds } = await clock(async () => {
    result = await runEarlyExitPooled(engine, policy, batches, { minRows });
  });
  return { seconds, cpuSeconds, prediction: result!.prediction, exit: result!.exit, macs: result!.macs };
}

/** Fraction of `prediction` equal to `labels`. */
export function accuracyOf(prediction: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (prediction[i] === labels[i]) correct++;
  return correct / labels.length;
}

/** Mean of the values. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Every fused stage+head graph in a chain, straight through the engine with no runner (no
 * softmax, gate or compaction): never-exit minus the runner's own work.
 */
export async function fusedChainPass<T>(
  engine: Engine<T>,
  images: Float32Array,
  n: number,
  batch: number,
): Promise<{ seconds: number; cpuSeconds: number }> {
  const perSample = shapeSize(engine.inputShape);
  const parts = chunks(n, batch);
  const inputs = parts.map(([start, count]) => images.subarray(start * perSample, (start + count) * perSample));
  return clock(async () => {
    for (let i = 0; i < parts.length; i++) {
      let x = await engine.fromHost(inputs[i]!, parts[i]![1]);
      for (let l = 0; l < engine.exits; l++) {
        const h = await engine.runStage(l, x);
        await engine.runHead(l, h);
        engine.dispose(x);
        x = h;
      }
      engine.dispose(x);
    }
  });
}

/** Early exit compiled into one ONNX graph (one session call per batch) over the data. */
export async function compiledPass(
  model: CompiledEarlyExit,
  images: Float32Array,
  n: number,
  batch: number,
  costs: ExitCosts,
): Promise<Pass> {
  const perSample = shapeSize(model.inputShape);
  const parts = chunks(n, batch);
  const inputs = parts.map(([start, count]) => images.subarray(start * perSample, (start + count) * perSample));
  const results: CompiledResult[] = [];
  const { seconds, cpuSeconds } = await clock(async () => {
    for (let i = 0; i < parts.length; i++) results.push(await model.run(inputs[i]!, parts[i]![1]));
  });
  const prediction = new Int32Array(n);
  const exit = new Int32Array(n);
  parts.forEach(([start], i) => {
    prediction.set(results[i]!.prediction, start);
    exit.set(results[i]!.exit, start);
  });
  return { seconds, cpuSeconds, prediction, exit, macs: Float64Array.from(exit, (l) => costs.cumulativeMacs[l]!) };
}

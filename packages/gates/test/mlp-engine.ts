import { createRng, type DenseLayer, DenseEngine, type Engine, type HostBatch } from '@offramp/core';

export interface MlpEngine extends Engine<HostBatch> {
  /** Batches made by the engine and not disposed yet. */
  live(): number;
  readonly stageMacs: readonly number[];
  readonly headMacs: readonly number[];
}

function randomDense(inputs: number, outputs: number, scale: number, relu: boolean, next: () => number): DenseLayer {
  return {
    weights: Float32Array.from({ length: inputs * outputs }, () => (2 * next() - 1) * scale),
    bias: Float32Array.from({ length: outputs }, () => (2 * next() - 1) * 0.1),
    relu,
  };
}

/**
 * A small staged MLP on the host (core's DenseEngine): stage l is dense + relu, head l is dense to
 * the classes, weights from a seeded generator. It also counts the batches it made and that were
 * not disposed, so tests can check the runner's bookkeeping.
 */
export function createMlpEngine(options: {
  seed: number;
  inputSize: number;
  hiddenSize: number;
  classes: number;
  exits: number;
  headScale?: number;
}): MlpEngine {
  const { inputSize, hiddenSize, classes, exits } = options;
  const rng = createRng(options.seed);
  const next = () => rng.next();
  const stages: DenseLayer[][] = [];
  const heads: DenseLayer[] = [];
  for (let l = 0; l < exits; l++) {
    const inputs = l === 0 ? inputSize : hiddenSize;
    stages.push([randomDense(inputs, hiddenSize, Math.sqrt(6 / inputs), true, next)]);
    heads.push(randomDense(hiddenSize, classes, (options.headScale ?? 1.5) * Math.sqrt(3 / hiddenSize), false, next));
  }
  const dense = new DenseEngine({ inputSize, classes, stages, heads });
  const owned = new Set<HostBatch>();
  const track = (batch: HostBatch): HostBatch => {
    owned.add(batch);
    return batch;
  };
  const { stageMacs, headMacs } = dense.macs();
  return {
    exits,
    classes,
    inputShape: dense.inputShape,
    stageMacs,
    headMacs,
    fromHost: (data, batch) => track(dense.fromHost(data, batch)),
    runStage: (stage, input) => track(dense.runStage(stage, input)),
    runHead: (exit, hidden) => dense.runHead(exit, hidden),
    take: (x, rows) => track(dense.take(x, rows)),
    toHost: (x) => dense.toHost(x).slice(),
    dispose: (x) => {
      owned.delete(x);
    },
    live: () => owned.size,
  };
}

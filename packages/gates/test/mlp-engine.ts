import { createRng, type Engine, takeRows } from '@offramp/core';

/** A batch held on the host: `rows` samples of `width` values, row-major. */
export interface HostBatch {
  readonly rows: number;
  readonly width: number;
  readonly data: Float32Array;
}

interface Dense {
  readonly inputs: number;
  readonly outputs: number;
  /** inputs x outputs, row-major. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

function randomDense(inputs: number, outputs: number, scale: number, next: () => number): Dense {
  const weights = new Float32Array(inputs * outputs);
  for (let i = 0; i < weights.length; i++) weights[i] = (2 * next() - 1) * scale;
  const bias = new Float32Array(outputs);
  for (let o = 0; o < outputs; o++) bias[o] = (2 * next() - 1) * 0.1;
  return { inputs, outputs, weights, bias };
}

/** y = x W + b per row (accumulated in float64), optionally followed by relu. */
function applyDense(layer: Dense, x: HostBatch, relu: boolean): Float32Array {
  const out = new Float32Array(x.rows * layer.outputs);
  for (let r = 0; r < x.rows; r++) {
    for (let o = 0; o < layer.outputs; o++) {
      let sum = layer.bias[o]!;
      for (let i = 0; i < layer.inputs; i++) {
        sum += x.data[r * layer.inputs + i]! * layer.weights[i * layer.outputs + o]!;
      }
      out[r * layer.outputs + o] = relu ? Math.max(0, sum) : sum;
    }
  }
  return out;
}

export interface MlpEngine extends Engine<HostBatch> {
  /** Batches made by the engine and not disposed yet. */
  live(): number;
  readonly stageMacs: readonly number[];
  readonly headMacs: readonly number[];
}

/**
 * A small staged MLP on plain Float32Arrays: stage l is dense + relu, head l is dense to the
 * classes. Weights come from a seeded generator, so the same seed gives the same network.
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
  const stages: Dense[] = [];
  const heads: Dense[] = [];
  for (let l = 0; l < exits; l++) {
    const inputs = l === 0 ? inputSize : hiddenSize;
    stages.push(randomDense(inputs, hiddenSize, Math.sqrt(6 / inputs), next));
    heads.push(randomDense(hiddenSize, classes, (options.headScale ?? 1.5) * Math.sqrt(3 / hiddenSize), next));
  }
  const owned = new Set<HostBatch>();
  const make = (rows: number, width: number, data: Float32Array): HostBatch => {
    const batch = { rows, width, data };
    owned.add(batch);
    return batch;
  };
  return {
    exits,
    classes,
    inputShape: [inputSize],
    stageMacs: stages.map((s) => s.inputs * s.outputs),
    headMacs: heads.map((h) => h.inputs * h.outputs),
    fromHost: (data, batch) => make(batch, inputSize, data.slice()),
    runStage: (stage, input) => make(input.rows, hiddenSize, applyDense(stages[stage]!, input, true)),
    runHead: (exit, hidden) => applyDense(heads[exit]!, hidden, false),
    take: (x, rows) => make(rows.length, x.width, takeRows(x.data, x.width, rows)),
    toHost: (x) => x.data.slice(),
    dispose: (x) => {
      owned.delete(x);
    },
    live: () => owned.size,
  };
}

import { defineGate, InputShapeError, CountMismatchError, ArgumentError, GateOptionsError } from '@offramp/core';
import { z } from 'zod';
import { hiddenStateGraph } from './graph/hidden-state-graph.js';
import { sigmoid } from './jei-math.js';

export const hiddenStateGateOptions = z.strictObject({
  /** One weight vector per exit before the last, as long as that exit's flattened hidden state. */
  weights: z.array(z.array(z.number())),
  /** One bias per exit before the last. */
  biases: z.array(z.number()),
});

export type HiddenStateGateOptions = z.infer<typeof hiddenStateGateOptions>;

function checkHiddenGateOptions(options: HiddenStateGateOptions, exits: number, hiddenSizes?: readonly number[]): void {
  const gated = exits - 1;
  if (options.weights.length !== gated) {
    throw new CountMismatchError({
      field: 'options.weights.length',
      expected: `${gated} weight vectors (one per exit before the last of ${exits} exits)`,
      received: String(options.weights.length),
    });
  }
  if (options.biases.length !== gated) {
    throw new CountMismatchError({
      field: 'options.biases.length',
      expected: `${gated} biases (one per exit before the last of ${exits} exits)`,
      received: String(options.biases.length),
    });
  }
  options.weights.forEach((row, l) => {
    const size = hiddenSizes?.[l];
    if (size !== undefined && row.length !== size) {
      throw new GateOptionsError({
        field: `options.weights[${l}].length`,
        expected: `${size} (the hidden size of exit ${l})`,
        received: String(row.length),
      });
    }
    if (!row.every(Number.isFinite)) {
      throw new ArgumentError({ field: `options.weights[${l}]`, expected: 'finite numbers', received: 'a value that is not' });
    }
  });
}

/**
 * hidden-state (BERxiT's "learning to exit"): u_l = sigmoid(w_l . h_l + b_l) on the stage's flattened hidden
 * state h_l, trained to predict whether head l is correct (see `@offramp/gates/training`). Range [0, 1],
 * default threshold 0.5. Needs `hidden`. Cost: hidden size + 1 MACs per sample (when the context gives the
 * hidden sizes; else 1).
 */
export const hiddenStateGate = defineGate({
  name: 'hidden-state',
  description: 'BERxiT-style learned gate: sigmoid(w . h + b) on the hidden state predicts whether the head is right.',
  options: hiddenStateGateOptions,
  needs: ['hidden'],
  range: { min: 0, max: 1 },
  defaultThreshold: 0.5,
  macs: (exit, context) => (context.hiddenSizes?.[exit] ?? 0) + 1,
  score: (options, context) => {
    checkHiddenGateOptions(options, context.exits, context.hiddenSizes);
    return (signal) => {
      const { hidden, hiddenSize, batch, exit } = signal;
      if (!hidden || hiddenSize === undefined) {
        throw new ArgumentError({
          field: 'signal.hidden',
          expected: 'the hidden state (the hidden-state gate needs it)',
          received: 'undefined',
        });
      }
      const w = options.weights[exit]!;
      if (hiddenSize !== w.length) {
        throw new InputShapeError({
          field: `signal.hiddenSize at exit ${exit}`,
          expected: `${w.length} (the gate's weight count)`,
          received: String(hiddenSize),
        });
      }
      const b = options.biases[exit]!;
      const scores = new Float32Array(batch);
      for (let i = 0; i < batch; i++) {
        let a = b;
        const start = i * hiddenSize;
        for (let k = 0; k < hiddenSize; k++) a += w[k]! * hidden[start + k]!;
        scores[i] = sigmoid(a);
      }
      return scores;
    };
  },
  onnx: (options) => hiddenStateGraph(options),
});

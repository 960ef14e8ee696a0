import { ArgumentError, argmaxRows, defineGate, GateOptionsError, type ExitSignal } from '@offramp/core';
import { z } from 'zod';
import { patienceGraph } from './graph/patience-graph.js';

export const patienceOptions = z.strictObject({
  /** How many consecutive earlier exits must agree with the current prediction; the default threshold. */
  patience: z.number().int().min(1).default(2),
});

export type PatienceOptions = z.infer<typeof patienceOptions>;

/**
 * For each sample at the current exit: how many consecutive earlier exits, going back from the
 * previous one, predicted the same class as the current exit (0 at the first exit).
 */
export function agreementStreak(signal: Pick<ExitSignal, 'probs' | 'classes' | 'batch' | 'history'>): Float32Array {
  const { classes, batch } = signal;
  const history = signal.history;
  if (!history) {
    throw new ArgumentError({
      field: 'signal.history',
      expected: 'the outputs of the earlier exits (the gate needs history)',
      received: 'undefined',
    });
  }
  const current = argmaxRows(signal.probs, classes);
  const streak = new Float32Array(batch);
  const running = new Uint8Array(batch).fill(1);
  for (let k = history.length - 1; k >= 0; k--) {
    const record = history[k]!;
    if (record.probs.length !== batch * classes) {
      throw new ArgumentError({
        field: `signal.history[${k}].probs.length`,
        expected: `${batch * classes} (row-aligned with the current batch)`,
        received: String(record.probs.length),
      });
    }
    const earlier = argmaxRows(record.probs, classes);
    let any = false;
    for (let i = 0; i < batch; i++) {
      if (!running[i]) continue;
      if (earlier[i] === current[i]) {
        streak[i]! += 1;
        any = true;
      } else {
        running[i] = 0;
      }
    }
    if (!any) break;
  }
  return streak;
}

/**
 * patience (PABEE): score = the number of consecutive earlier exits whose prediction equals the
 * current one, so threshold t exits once the prediction has stayed the same for t exits in a row.
 * Range [0, exits - 1] (exits - 1 never exits early); the default threshold is `options.patience`,
 * which must be at most exits - 1.
 * Cost: C + exit MACs per sample (an argmax, then one comparison per earlier exit).
 */
export const patienceGate = defineGate({
  name: 'patience',
  description: 'Exit when the predicted class has stayed the same over the last `patience` exits (PABEE).',
  options: patienceOptions,
  needs: ['history'],
  range: (_options, context) => ({ min: 0, max: Math.max(0, context.exits - 1) }),
  defaultThreshold: (options) => options.patience,
  macs: (exit, context) => context.classes + exit,
  score: (options, context) => {
    if (context.exits >= 2 && options.patience > context.exits - 1) {
      throw new GateOptionsError({
        field: 'options.patience',
        expected: `a whole number in [1, ${context.exits - 1}] (at most exits - 1 for ${context.exits} exits)`,
        received: String(options.patience),
      });
    }
    return (signal) => agreementStreak(signal);
  },
  onnx: () => patienceGraph,
});

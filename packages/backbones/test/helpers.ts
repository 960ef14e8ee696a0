import { createRng, defineGate } from '@offramp/core';

/** Uniform values in [-1, 1) from a seed. */
export function randomArray(length: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => rng.next() * 2 - 1);
}

/** Max-prob written inline as a user would: the largest class probability per sample. */
export const maxProbGate = defineGate({
  name: 'inline-max-prob',
  range: { min: 0, max: 1 },
  defaultThreshold: 0.9,
  score: (_options, context) => (signal) => {
    const out = new Float32Array(signal.batch);
    for (let i = 0; i < signal.batch; i++) {
      let best = 0;
      for (let c = 0; c < context.classes; c++) best = Math.max(best, signal.probs[i * context.classes + c]!);
      out[i] = best;
    }
    return out;
  },
});

import { z } from 'zod';
import { createRng, type DenseLayer, defineGate, DenseEngine } from '../src/index.js';

function randomLayer(inSize: number, outSize: number, relu: boolean, next: () => number): DenseLayer {
  const scale = Math.sqrt(2 / inSize);
  return {
    weights: Float32Array.from({ length: inSize * outSize }, () => (next() * 2 - 1) * scale * 1.7),
    bias: Float32Array.from({ length: outSize }, () => (next() * 2 - 1) * 0.1),
    relu,
  };
}

/** A 3-exit dense network with seeded random weights: input 6 -> 8 -> 8 -> 8, 4 classes. */
export function smallDenseEngine(seed = 1, widths = [8, 8, 8], inputSize = 6, classes = 4): DenseEngine {
  const rng = createRng(seed);
  const next = () => rng.next();
  const stages = widths.map((w, i) => [randomLayer(i === 0 ? inputSize : widths[i - 1]!, w, true, next)]);
  const heads = widths.map((w) => randomLayer(w, classes, false, next));
  return new DenseEngine({ inputSize, classes, stages, heads });
}

export function randomInput(n: number, size: number, seed = 2): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * size }, () => rng.next() * 2 - 1);
}

/** Max-prob written the way a user would write a gate plugin. */
export const testMaxProb = defineGate({
  name: 'test-max-prob',
  range: { min: 0, max: 1 },
  defaultThreshold: 0.9,
  score: (_options, context) => (signal) => {
    const out = new Float32Array(signal.batch);
    for (let i = 0; i < signal.batch; i++) {
      out[i] = Math.max(...signal.probs.subarray(i * context.classes, (i + 1) * context.classes));
    }
    return out;
  },
});

/** A gate that needs history: how many earlier exits agree with the current argmax. */
export const testAgreement = defineGate({
  name: 'test-agreement',
  options: z.object({ window: z.number().int().min(1).default(2) }),
  needs: ['history'],
  range: (_o, context) => ({ min: 0, max: context.exits - 1 }),
  defaultThreshold: (options) => options.window,
  score: (_options, context) => (signal) => {
    const c = context.classes;
    const argmax = (p: Float32Array, i: number) => {
      let best = 0;
      for (let k = 1; k < c; k++) if (p[i * c + k]! > p[i * c + best]!) best = k;
      return best;
    };
    const out = new Float32Array(signal.batch);
    for (let i = 0; i < signal.batch; i++) {
      const now = argmax(signal.probs, i);
      let count = 0;
      for (let h = (signal.history?.length ?? 0) - 1; h >= 0; h--) {
        if (argmax(signal.history![h]!.probs, i) !== now) break;
        count++;
      }
      out[i] = count;
    }
    return out;
  },
});

/** A gate on similarity of consecutive hidden states. */
export const testSimilarity = defineGate({
  name: 'test-similarity',
  needs: ['similarity'],
  range: { min: -1, max: 1 },
  defaultThreshold: 0.9,
  score: () => (signal) => Float32Array.from(signal.similarity!),
});

/** A gate on the hidden state: mean activation. */
export const testHiddenMean = defineGate({
  name: 'test-hidden-mean',
  needs: ['hidden'],
  range: { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY },
  defaultThreshold: 0,
  score: () => (signal) => {
    const size = signal.hiddenSize!;
    return Float32Array.from({ length: signal.batch }, (_, i) => {
      let s = 0;
      for (let k = 0; k < size; k++) s += signal.hidden![i * size + k]!;
      return s / size;
    });
  },
});

import { defineGate } from '@offramp/core';
import { z } from 'zod';

/**
 * A gate plugin written the way a user writes one: exit when the top probability is high AND the
 * prediction agrees with the previous exit's. Its score is the top probability when the argmax
 * matches the previous exit's, else 0 (at the first exit there is nothing to agree with: score 0).
 */
export const agreeingConfidenceGate = defineGate({
  name: 'agreeing-confidence',
  description: 'max-prob, counted only when the prediction matches the previous exit',
  options: z.object({ requireAgreement: z.boolean().default(true) }),
  needs: ['history'],
  range: { min: 0, max: 1 },
  defaultThreshold: 0.8,
  macs: (_exit, { classes }) => 2 * classes,
  score: (options, { classes }) => (signal) => {
    const previous = signal.history?.at(-1);
    const scores = new Float32Array(signal.batch);
    for (let i = 0; i < signal.batch; i++) {
      const row = signal.probs.subarray(i * classes, (i + 1) * classes);
      const top = row.indexOf(Math.max(...row));
      const before = previous?.probs.subarray(i * classes, (i + 1) * classes);
      const agrees = before ? before.indexOf(Math.max(...before)) === top : false;
      scores[i] = agrees || !options.requireAgreement ? row[top]! : 0;
    }
    return scores;
  },
});

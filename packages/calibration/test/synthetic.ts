import { createRng, softmaxRows, takeRows, type Trace } from '@offramp/core';

/**
 * A synthetic trace: labels uniform over `classes`, exit l's logits are noise plus a bump of
 * strength[l] on the label (later exits are more accurate).
 */
export function syntheticTrace(n: number, strengths: readonly number[], classes: number, seed: number): { trace: Trace; labels: Int32Array } {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.int(classes));
  const noise = Float32Array.from({ length: n * classes }, () => 2 * rng.next() - 1);
  const logits = strengths.map((strength, l) =>
    Float32Array.from({ length: n * classes }, (_, k) => {
      const i = Math.floor(k / classes);
      // Shared noise plus exit-specific noise, so exits agree more often than chance.
      return 2 * noise[k]! + (l + 1) * 0.5 * (2 * rng.next() - 1) + (k % classes === labels[i] ? strength : 0);
    }),
  );
  return {
    trace: { n, exits: strengths.length, classes, logits, probs: logits.map((z) => softmaxRows(z, classes)) },
    labels,
  };
}

/** The rows `rows` of a trace and its labels. */
export function takeTrace(trace: Trace, labels: Int32Array, rows: Int32Array): { trace: Trace; labels: Int32Array } {
  return {
    trace: {
      n: rows.length,
      exits: trace.exits,
      classes: trace.classes,
      logits: trace.logits.map((z) => takeRows(z, trace.classes, rows)),
      probs: trace.probs.map((p) => takeRows(p, trace.classes, rows)),
    },
    labels: Int32Array.from(rows, (i) => labels[i]!),
  };
}

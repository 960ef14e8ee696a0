/** The gate the custom-gate box starts with: 1 - p2 / p1 (the README's example). */
export const EXAMPLE_GATE = `defineGate({
  name: 'top-two-ratio',
  description: '1 - p2 / p1: how far the top class is ahead of the runner-up',
  range: { min: 0, max: 1 },
  defaultThreshold: 0.8,
  score: (_options, { classes }) => (signal) =>
    Float32Array.from({ length: signal.batch }, (_, i) => {
      const row = Array.from(signal.probs.subarray(i * classes, (i + 1) * classes)).sort((a, b) => b - a);
      return 1 - row[1] / row[0];
    }),
})`;

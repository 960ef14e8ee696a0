import { computeExitCosts, type Trace } from '@offramp/core';

/**
 * Four samples, three exits, three classes. Rows are the probabilities of each sample at that exit;
 * `labels` are [0, 1, 2, 0].
 *
 *            exit 0              exit 1              exit 2
 * sample 0   [0.9, 0.05, 0.05]   [0.95, 0.03, 0.02]  [0.97, 0.02, 0.01]   right, right, right
 * sample 1   [0.6, 0.3, 0.1]     [0.2, 0.7, 0.1]     [0.1, 0.8, 0.1]      wrong, right, right
 * sample 2   [0.4, 0.35, 0.25]   [0.5, 0.2, 0.3]     [0.2, 0.2, 0.6]      wrong, wrong, right
 * sample 3   [0.8, 0.1, 0.1]     [0.3, 0.6, 0.1]     [0.7, 0.2, 0.1]      right, wrong, right
 */
const rows = [
  [0.9, 0.05, 0.05, 0.6, 0.3, 0.1, 0.4, 0.35, 0.25, 0.8, 0.1, 0.1],
  [0.95, 0.03, 0.02, 0.2, 0.7, 0.1, 0.5, 0.2, 0.3, 0.3, 0.6, 0.1],
  [0.97, 0.02, 0.01, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6, 0.7, 0.2, 0.1],
];

export const handTrace: Trace = {
  n: 4,
  exits: 3,
  classes: 3,
  probs: rows.map((r) => new Float32Array(r)),
  logits: rows.map((r) => new Float32Array(r.map(Math.log))),
};

export const handLabels = new Int32Array([0, 1, 2, 0]);

/**
 * Each stage 100 MACs and each head 10, no gate MACs: cumulative [110, 220, 330], normalised
 * [1/3, 2/3, 1], backbone 310.
 */
export const handCosts = computeExitCosts({ stageMacs: [100, 100, 100], headMacs: [10, 10, 10] });

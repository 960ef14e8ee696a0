import { rowCount, rowEntropy, rowMargin, rowMax, rowPowerEntropy } from './features.js';

/** Number of features per row that `uncertaintyFeatures` returns. */
export const UNCERTAINTY_FEATURE_COUNT = 4;

/**
 * The four uncertainty features of each row (JEI-DNN's phi), batch x 4 row-major:
 * [max p, H(p), p(1) - p(2), H(p^2 / sum p^2)], entropies raw (in nats, not divided by ln C).
 */
export function uncertaintyFeatures(probs: Float32Array, classes: number): Float32Array {
  const rows = rowCount(probs, classes);
  const out = new Float32Array(rows * UNCERTAINTY_FEATURE_COUNT);
  for (let r = 0; r < rows; r++) {
    const start = r * classes;
    const o = r * UNCERTAINTY_FEATURE_COUNT;
    out[o] = rowMax(probs, start, classes);
    out[o + 1] = rowEntropy(probs, start, classes);
    out[o + 2] = rowMargin(probs, start, classes);
    out[o + 3] = rowPowerEntropy(probs, start, classes);
  }
  return out;
}

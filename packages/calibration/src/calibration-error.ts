import { type BinningOptions, addToWidthSums, diagramFromSums, emptyWidthSums, massSums, type ReliabilityDiagram, resolveBinning } from './binning.js';
import { checkProbsAndLabels } from './probs-input.js';
import { topLabel } from './top-label.js';

/**
 * Top-label reliability diagram of n x C probabilities (row-major; C = probs.length / labels.length):
 * per bin the count, mean confidence and accuracy, with the ECE and MCE of those bins.
 */
export function reliabilityDiagram(
  probs: Float32Array,
  labels: Int32Array,
  options: BinningOptions = {},
): ReliabilityDiagram {
  const { bins, binning } = resolveBinning(options);
  const classes = checkProbsAndLabels(probs, labels);
  const { confidence, correct } = topLabel(probs, labels, classes);
  if (binning === 'mass') return diagramFromSums(massSums(confidence, correct, bins));
  const sums = emptyWidthSums(bins);
  addToWidthSums(sums, confidence, correct);
  return diagramFromSums(sums);
}

/** Expected calibration error: sum_m (|B_m| / n) |acc(B_m) - conf(B_m)| over top-label confidence bins. */
export function expectedCalibrationError(probs: Float32Array, labels: Int32Array, options: BinningOptions = {}): number {
  return reliabilityDiagram(probs, labels, options).ece;
}

/** Maximum calibration error: the largest |acc(B_m) - conf(B_m)| over the non-empty bins. */
export function maximumCalibrationError(probs: Float32Array, labels: Int32Array, options: BinningOptions = {}): number {
  return reliabilityDiagram(probs, labels, options).mce;
}

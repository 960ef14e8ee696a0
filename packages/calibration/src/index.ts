export { exitAccuracies, fullModelAccuracy } from './accuracy.js';
export { checkLabels } from './labels.js';
export { sweepThresholds, type SweepOptions, type ThresholdCurve, type ThresholdPoint } from './sweep.js';
export { paretoFront, type AccuracyCost } from './pareto.js';
export { chooseOperatingPoint, chooseUnderBudget, type AccuracyTarget } from './choose.js';
export { selectThreshold, type ThresholdGoal } from './select.js';
export type { Binning, BinningOptions, ReliabilityBin, ReliabilityDiagram } from './binning.js';
export { expectedCalibrationError, maximumCalibrationError, reliabilityDiagram } from './calibration-error.js';
export { brierScore, negativeLogLikelihood } from './proper-scores.js';
export { CalibrationMetric, type CalibrationSummary } from './calibration-metric.js';
export { applyTemperature, fitTemperature, fitTemperatures } from './temperature.js';
export {
  apsScores,
  conformalScores,
  lacScores,
  rapsScores,
  type ConformalScoreName,
  type ConformalScoreOptions,
  type ResolvedScoreOptions,
} from './conformal-score.js';
export { conformalQuantile } from './conformal-quantile.js';
export { predictionSets } from './prediction-sets.js';
export {
  evaluateConformal,
  perExitConformal,
  type ConformalExitReport,
  type ConformalReport,
  type ConformalSplit,
  type PerExitConformal,
  type PerExitConformalOptions,
} from './per-exit-conformal.js';
export { binomialPValue, hoeffdingPValue } from './p-values.js';
export {
  riskControlledThresholds,
  type RiskControlledThresholds,
  type RiskControlOptions,
  type RiskName,
} from './risk-control.js';

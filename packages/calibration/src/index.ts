export { exitAccuracies, fullModelAccuracy } from './accuracy.js';
export { checkLabels } from './labels.js';
export { sweepThresholds, type SweepOptions, type ThresholdCurve, type ThresholdPoint } from './sweep.js';
export { paretoFront, type AccuracyCost } from './pareto.js';
export { chooseOperatingPoint, chooseUnderBudget, type AccuracyTarget } from './choose.js';

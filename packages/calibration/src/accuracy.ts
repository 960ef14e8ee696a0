import { argmaxRows, type Trace } from '@offramp/core';
import { checkLabels } from './labels.js';

/** Fraction of samples whose argmax at each exit equals the label (one entry per exit). */
export function exitAccuracies(trace: Trace, labels: Int32Array): number[] {
  checkLabels(trace, labels);
  return trace.probs.map((probs) => {
    const predicted = argmaxRows(probs, trace.classes);
    let correct = 0;
    for (let i = 0; i < trace.n; i++) if (predicted[i] === labels[i]) correct++;
    return correct / trace.n;
  });
}

/** Accuracy of the last exit: the full model, with no early exit. */
export function fullModelAccuracy(trace: Trace, labels: Int32Array): number {
  return exitAccuracies(trace, labels)[trace.exits - 1]!;
}

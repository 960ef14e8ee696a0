import { riskControlledThresholds } from '@offramp/calibration';
import { argmaxRows, collectTrace, evaluateTrace, softmaxRows } from '@offramp/core';
import type { OnnxBundle } from '@offramp/onnx';
import { servedModelFromBundle } from '@offramp/serve';
import type { CalibrationSet, LabelledSet } from './test-set.js';

/**
 * Before serving: thresholds certified on the validation digits for the same constraint the server
 * keeps online (Learn-then-Test, disagreement with the full model <= epsilon w.p. >= 1 - delta), and
 * the test set run offline: the full model's predictions and early exit by trace evaluation.
 */
export interface Reference {
  readonly manifestThresholds: readonly number[];
  /** Certified on the validation digits; every early-exit policy serves with these. */
  readonly thresholds: readonly number[];
  readonly certified: boolean;
  readonly fullPredictions: Int32Array;
  readonly fullAccuracy: number;
  readonly earlyAccuracy: number;
  /** Fraction of early-exit predictions equal to the full model's. */
  readonly earlyAgreement: number;
  readonly earlyMeanCost: number;
}

function agreement(predictions: Int32Array, labels: Int32Array): number {
  let same = 0;
  predictions.forEach((p, i) => {
    if (p === labels[i]) same++;
  });
  return same / predictions.length;
}

export async function referenceRun(
  bundle: OnnxBundle,
  validation: CalibrationSet,
  set: LabelledSet,
  constraint: { readonly epsilon: number; readonly delta: number },
): Promise<Reference> {
  const model = await servedModelFromBundle(bundle);
  try {
    const { classes } = model.engine;
    const { gate, costs } = model.policy;
    const certified = riskControlledThresholds(await collectTrace(model.engine, validation.images, validation.n), gate, costs, {
      risk: 'disagreement',
      ...constraint,
      candidates: 200,
    });
    const thresholds = certified.thresholds ?? new Array<number>(model.engine.exits - 1).fill(gate.range.max);
    const full = new Int32Array(set.n);
    for (let start = 0; start < set.n; start += 256) {
      const count = Math.min(256, set.n - start);
      const logits = await model.engine.runFull(set.images.subarray(start * set.size, (start + count) * set.size), count);
      full.set(argmaxRows(softmaxRows(logits, classes), classes), start);
    }
    const early = evaluateTrace(await collectTrace(model.engine, set.images, set.n), gate, thresholds, costs);
    const t = model.policy.thresholds;
    return {
      manifestThresholds: typeof t === 'number' ? [t] : [...t],
      thresholds,
      certified: certified.thresholds !== null,
      fullPredictions: full,
      fullAccuracy: agreement(full, set.labels),
      earlyAccuracy: agreement(early.prediction, set.labels),
      earlyAgreement: agreement(early.prediction, full),
      earlyMeanCost: early.cost.reduce((a, b) => a + b, 0) / set.n,
    };
  } finally {
    await model.release();
  }
}

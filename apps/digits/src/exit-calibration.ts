import {
  applyTemperature,
  expectedCalibrationError,
  fitTemperatures,
  negativeLogLikelihood,
  type ReliabilityDiagram,
  reliabilityDiagram,
} from '@offramp/calibration';
import type { Trace } from '@offramp/core';

export interface LabelledTrace {
  readonly trace: Trace;
  readonly labels: Int32Array;
}

/** Calibration of one exit's head on the test set, before and after temperature scaling. */
export interface ExitCalibration {
  readonly exit: number;
  /** Fitted on the validation set. */
  readonly temperature: number;
  /** ECE (15 bins) of the raw and temperature-scaled probabilities. */
  readonly ece: { readonly width: number; readonly mass: number };
  readonly eceScaled: { readonly width: number; readonly mass: number };
  readonly nll: { readonly raw: number; readonly scaled: number };
  /** Equal-width (15 bins) reliability diagrams on the test set. */
  readonly diagram: ReliabilityDiagram;
  readonly diagramScaled: ReliabilityDiagram;
}

const BINS = 15;

/** Per exit: temperature from validation, ECE / NLL / reliability diagram on test with and without it. */
export function calibrateExits(validation: LabelledTrace, test: LabelledTrace): ExitCalibration[] {
  const temperatures = fitTemperatures(validation.trace.logits, validation.labels);
  const { classes } = test.trace;
  return test.trace.probs.map((raw, exit) => {
    const temperature = temperatures[exit]!;
    const scaled = applyTemperature(test.trace.logits[exit]!, classes, temperature);
    const ece = (probs: Float32Array) => ({
      width: expectedCalibrationError(probs, test.labels, { bins: BINS, binning: 'width' }),
      mass: expectedCalibrationError(probs, test.labels, { bins: BINS, binning: 'mass' }),
    });
    return {
      exit,
      temperature,
      ece: ece(raw),
      eceScaled: ece(scaled),
      nll: { raw: negativeLogLikelihood(raw, test.labels), scaled: negativeLogLikelihood(scaled, test.labels) },
      diagram: reliabilityDiagram(raw, test.labels, { bins: BINS }),
      diagramScaled: reliabilityDiagram(scaled, test.labels, { bins: BINS }),
    };
  });
}

import { CountMismatchError } from '@offramp/core';
import {
  addToWidthSums,
  type Binning,
  type BinningOptions,
  type BinSums,
  diagramFromSums,
  emptyWidthSums,
  massSums,
  type ReliabilityDiagram,
  resolveBinning,
} from './binning.js';
import { brierSum, nllSum } from './proper-scores.js';
import { checkProbsAndLabels } from './probs-input.js';
import { topLabel } from './top-label.js';

/** What a `CalibrationMetric` has seen so far: the reliability diagram, its ECE / MCE, Brier score and NLL. */
export interface CalibrationSummary extends ReliabilityDiagram {
  readonly samples: number;
  readonly brier: number;
  readonly nll: number;
}

/** A growable list of numbers (equal-mass bins need every confidence seen). */
class GrowableArray {
  values = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = value;
  }
  view(): Float64Array {
    return this.values.subarray(0, this.length);
  }
}

/**
 * Streaming calibration metrics: `update(probs, labels)` batch by batch, then `compute()`, `reset()`.
 * Equal-width bins keep per-bin sums; equal-mass bins keep every top-label confidence (8 bytes + 1 per
 * sample) because their edges depend on all of them. The results equal the one-shot functions' on the
 * concatenated batches.
 */
export class CalibrationMetric {
  readonly bins: number;
  readonly binning: Binning;
  private classes: number | null = null;
  private samples = 0;
  private brier = 0;
  private nll = 0;
  private widthSums: BinSums[];
  private confidences = new GrowableArray();
  private correct = new GrowableArray();

  constructor(options: BinningOptions = {}) {
    const resolved = resolveBinning(options);
    this.bins = resolved.bins;
    this.binning = resolved.binning;
    this.widthSums = emptyWidthSums(this.bins);
  }

  /** Adds a batch: n x C probabilities (row-major) and n labels; C must stay the same across batches. */
  update(probs: Float32Array, labels: Int32Array): void {
    const classes = checkProbsAndLabels(probs, labels);
    if (this.classes !== null && classes !== this.classes) {
      throw new CountMismatchError({
        field: 'probs.length / labels.length',
        expected: `${this.classes} classes (as in earlier batches)`,
        received: String(classes),
      });
    }
    this.classes = classes;
    const top = topLabel(probs, labels, classes);
    if (this.binning === 'width') {
      addToWidthSums(this.widthSums, top.confidence, top.correct);
    } else {
      for (let i = 0; i < labels.length; i++) {
        this.confidences.push(top.confidence[i]!);
        this.correct.push(top.correct[i]!);
      }
    }
    this.samples += labels.length;
    this.brier += brierSum(probs, labels, classes);
    this.nll += nllSum(probs, labels, classes);
  }

  /** The metrics over every sample since construction or the last `reset()`; NaN values when none was seen. */
  compute(): CalibrationSummary {
    if (this.samples === 0) {
      return { bins: [], ece: Number.NaN, mce: Number.NaN, samples: 0, brier: Number.NaN, nll: Number.NaN };
    }
    const diagram =
      this.binning === 'width'
        ? diagramFromSums(this.widthSums)
        : diagramFromSums(massSums(this.confidences.view(), this.correct.view(), this.bins));
    return { ...diagram, samples: this.samples, brier: this.brier / this.samples, nll: this.nll / this.samples };
  }

  /** Forgets every sample. */
  reset(): void {
    this.classes = null;
    this.samples = 0;
    this.brier = 0;
    this.nll = 0;
    this.widthSums = emptyWidthSums(this.bins);
    this.confidences = new GrowableArray();
    this.correct = new GrowableArray();
  }
}

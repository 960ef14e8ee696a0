import { ArgumentError, CountMismatchError, EmptyBatchError, InputShapeError } from '@offramp/core';

/** Tolerance for probabilities a little outside [0, 1] after float32 rounding. */
const PROB_SLACK = 1e-6;

/** Checks `labels` is an Int32Array of class indices in [0, classes). */
export function checkClassLabels(labels: Int32Array, classes: number, field = 'labels'): void {
  if (!(labels instanceof Int32Array)) {
    throw new InputShapeError({
      field,
      expected: 'an Int32Array of class indices',
      received: labels === null ? 'null' : typeof labels,
    });
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= classes) {
      throw new ArgumentError({
        field: `${field}[${i}]`,
        expected: `a class index in [0, ${classes - 1}]`,
        received: String(label),
      });
    }
  }
}

/** Checks a Float32Array of n x C values (row-major); returns C = values.length / n. */
export function classesOf(values: Float32Array, n: number, field: string, labelsField = 'labels'): number {
  if (!(values instanceof Float32Array)) {
    throw new InputShapeError({
      field,
      expected: 'a Float32Array (samples x classes, row-major)',
      received: values === null ? 'null' : typeof values,
    });
  }
  if (n === 0) throw new EmptyBatchError(labelsField);
  const classes = values.length / n;
  if (!Number.isInteger(classes) || classes < 1) {
    throw new CountMismatchError({
      field: `${field}.length`,
      expected: `a whole multiple (>= 1) of ${labelsField}.length = ${n}`,
      received: String(values.length),
    });
  }
  return classes;
}

/**
 * Checks an n x C probability array against n labels and returns C (inferred from the lengths).
 * Every value must be finite and in [0, 1].
 */
export function checkProbsAndLabels(probs: Float32Array, labels: Int32Array, field = 'probs', labelsField = 'labels'): number {
  if (!(labels instanceof Int32Array)) {
    throw new InputShapeError({
      field: labelsField,
      expected: 'an Int32Array of class indices',
      received: labels === null ? 'null' : typeof labels,
    });
  }
  const classes = classesOf(probs, labels.length, field, labelsField);
  checkProbabilities(probs, field);
  checkClassLabels(labels, classes, labelsField);
  return classes;
}

/** Checks every value is a finite probability in [0, 1]. */
export function checkProbabilities(probs: Float32Array, field = 'probs'): void {
  for (let k = 0; k < probs.length; k++) {
    const p = probs[k]!;
    if (!(p >= -PROB_SLACK && p <= 1 + PROB_SLACK)) {
      throw new ArgumentError({ field: `${field}[${k}]`, expected: 'a probability in [0, 1]', received: String(p) });
    }
  }
}

/** Checks a logits array against labels and returns C; every value must be finite. */
export function checkLogitsAndLabels(
  logits: Float32Array,
  labels: Int32Array,
  classes: number | undefined,
  field = 'logits',
): number {
  if (!(labels instanceof Int32Array)) {
    throw new InputShapeError({
      field: 'labels',
      expected: 'an Int32Array of class indices',
      received: labels === null ? 'null' : typeof labels,
    });
  }
  const inferred = classesOf(logits, labels.length, field);
  if (classes !== undefined && classes !== inferred) {
    throw new CountMismatchError({
      field: 'classes',
      expected: `${inferred} (${field}.length / labels.length)`,
      received: String(classes),
    });
  }
  for (let k = 0; k < logits.length; k++) {
    if (!Number.isFinite(logits[k]!)) {
      throw new ArgumentError({ field: `${field}[${k}]`, expected: 'a finite number', received: String(logits[k]) });
    }
  }
  checkClassLabels(labels, inferred);
  return inferred;
}

/** Checks a whole number >= min. */
export function checkInteger(value: number, field: string, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new ArgumentError({ field, expected: `a whole number >= ${min}`, received: String(value) });
  }
}

/** Checks a number strictly between 0 and 1. */
export function checkOpenUnit(value: number, field: string): void {
  if (!(typeof value === 'number' && value > 0 && value < 1)) {
    throw new ArgumentError({ field, expected: 'a number in (0, 1)', received: String(value) });
  }
}

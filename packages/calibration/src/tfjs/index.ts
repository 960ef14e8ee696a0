import { ArgumentError, InputShapeError } from '@offramp/core';
import type * as tf from '@tensorflow/tfjs';
import type { BinningOptions, ReliabilityDiagram } from '../binning.js';
import * as host from '../index.js';

/** A tensor or the host array it would convert to. */
export type ProbsInput = tf.Tensor | Float32Array;
export type LabelsInput = tf.Tensor | Int32Array;

function isTensor(value: unknown): value is tf.Tensor {
  return typeof value === 'object' && value !== null && 'dataSync' in value && 'shape' in value && 'rank' in value;
}

/** n x C values to a row-major Float32Array (a rank-2 tensor, or a Float32Array passed through). */
export function toHostRows(values: ProbsInput, field = 'probs'): Float32Array {
  if (!isTensor(values)) return values;
  if (values.rank !== 2) {
    throw new InputShapeError({ field: `${field}.shape`, expected: 'a rank-2 tensor [samples, classes]', received: JSON.stringify(values.shape) });
  }
  const data = values.dataSync();
  return data instanceof Float32Array ? Float32Array.from(data) : Float32Array.from(data as ArrayLike<number>);
}

/** Labels to an Int32Array (a rank-1 tensor of whole numbers, or an Int32Array passed through). */
export function toHostLabels(labels: LabelsInput, field = 'labels'): Int32Array {
  if (!isTensor(labels)) return labels;
  if (labels.rank !== 1) {
    throw new InputShapeError({ field: `${field}.shape`, expected: 'a rank-1 tensor [samples]', received: JSON.stringify(labels.shape) });
  }
  const data = labels.dataSync() as ArrayLike<number>;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (!Number.isInteger(v)) throw new ArgumentError({ field: `${field}[${i}]`, expected: 'a whole class index', received: String(v) });
    out[i] = v;
  }
  return out;
}

/** The number of classes of a rank-2 tensor (its second dimension), or undefined for host arrays. */
function classesOf(values: ProbsInput): number | undefined {
  return isTensor(values) ? values.shape[1] : undefined;
}

export function reliabilityDiagram(probs: ProbsInput, labels: LabelsInput, options?: BinningOptions): ReliabilityDiagram {
  return host.reliabilityDiagram(toHostRows(probs), toHostLabels(labels), options);
}
export function expectedCalibrationError(probs: ProbsInput, labels: LabelsInput, options?: BinningOptions): number {
  return host.expectedCalibrationError(toHostRows(probs), toHostLabels(labels), options);
}
export function maximumCalibrationError(probs: ProbsInput, labels: LabelsInput, options?: BinningOptions): number {
  return host.maximumCalibrationError(toHostRows(probs), toHostLabels(labels), options);
}
export function brierScore(probs: ProbsInput, labels: LabelsInput): number {
  return host.brierScore(toHostRows(probs), toHostLabels(labels));
}
export function negativeLogLikelihood(probs: ProbsInput, labels: LabelsInput): number {
  return host.negativeLogLikelihood(toHostRows(probs), toHostLabels(labels));
}
export function fitTemperature(logits: ProbsInput, labels: LabelsInput, classes?: number): number {
  return host.fitTemperature(toHostRows(logits, 'logits'), toHostLabels(labels), classes ?? classesOf(logits));
}
export function fitTemperatures(logitsPerExit: readonly ProbsInput[], labels: LabelsInput, classes?: number): number[] {
  return host.fitTemperatures(
    logitsPerExit.map((z, l) => toHostRows(z, `logitsPerExit[${l}]`)),
    toHostLabels(labels),
    classes ?? (logitsPerExit[0] ? classesOf(logitsPerExit[0]) : undefined),
  );
}
/** softmax(z / T) on the host; `classes` may be left out for a rank-2 tensor. */
export function applyTemperature(logits: ProbsInput, classes: number | undefined, temperature: number): Float32Array {
  const c = classes ?? classesOf(logits);
  if (c === undefined) throw new ArgumentError({ field: 'classes', expected: 'the number of classes for a Float32Array', received: 'undefined' });
  return host.applyTemperature(toHostRows(logits, 'logits'), c, temperature);
}

/** `CalibrationMetric` whose `update` also takes tensors (copied to the host; no tensor is kept). */
export class CalibrationMetric extends host.CalibrationMetric {
  override update(probs: ProbsInput, labels: LabelsInput): void {
    super.update(toHostRows(probs), toHostLabels(labels));
  }
}

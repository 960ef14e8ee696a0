import { softmaxRows, type Trace } from '@offramp/core';
import { ModelFileError } from '../errors.js';
import { BinaryReader, BinaryWriter } from './binary.js';

const MAGIC = 'OFTR';
const VERSION = 1;
const FILE = 'test-trace.bin';

/** A data set's trace (every exit's logits for every sample) with the samples' labels. */
export interface LabelledTrace {
  readonly trace: Trace;
  readonly labels: Int32Array;
}

/**
 * The compact binary form: "OFTR", version, n, exits, classes (u32 little-endian), the labels as
 * one byte each, then each exit's n x classes logits as float32. Probabilities are recomputed.
 */
export function encodeTrace({ trace, labels }: LabelledTrace): Uint8Array {
  if (labels.length !== trace.n) {
    throw new ModelFileError({ field: 'labels.length', expected: `${trace.n} (one per sample)`, received: String(labels.length) });
  }
  labels.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= trace.classes) {
      throw new ModelFileError({ field: `labels[${i}]`, expected: `a class in [0, ${trace.classes - 1}]`, received: String(label) });
    }
  });
  const writer = new BinaryWriter().magic(MAGIC).uint32(VERSION).uint32(trace.n).uint32(trace.exits).uint32(trace.classes);
  writer.bytes(Uint8Array.from(labels));
  for (const logits of trace.logits) writer.float32s(logits);
  return writer.finish();
}

export function decodeTrace(bytes: Uint8Array): LabelledTrace {
  const reader = new BinaryReader(bytes, FILE);
  reader.magic(MAGIC);
  reader.uint32('version', VERSION, VERSION);
  const n = reader.uint32('n', 1, 1e7);
  const exits = reader.uint32('exits', 1, 1000);
  const classes = reader.uint32('classes', 2, 255);
  const labels = Int32Array.from(reader.bytes(n, 'labels'));
  labels.forEach((label, i) => {
    if (label >= classes) {
      throw new ModelFileError({ field: `${FILE}: labels[${i}]`, expected: `a class in [0, ${classes - 1}]`, received: String(label) });
    }
  });
  const logits = Array.from({ length: exits }, (_, l) => reader.float32s(n * classes, `logits of exit ${l}`));
  reader.end();
  logits.forEach((z, l) => {
    const bad = z.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new ModelFileError({ field: `${FILE}: logits of exit ${l}[${bad}]`, expected: 'a finite number', received: String(z[bad]) });
    }
  });
  const probs = logits.map((z) => softmaxRows(z, classes));
  return { trace: { n, exits, classes, logits, probs }, labels };
}

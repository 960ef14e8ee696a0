import { ArgumentError } from '@offramp/core';
import type { SampleImages } from '../model/sample-file.js';

/**
 * The first `perClass` samples of every class, in the data set's order, with their index in it,
 * ordered by class. `pixels` holds every sample's grey levels as bytes (n x size).
 */
export function pickSamples(pixels: Uint8Array, labels: Int32Array, size: number, classes: number, perClass: number): SampleImages {
  if (pixels.length !== labels.length * size) {
    throw new ArgumentError({ field: 'pixels.length', expected: `${labels.length} x ${size}`, received: String(pixels.length) });
  }
  const chosen: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((label, i) => {
    if (chosen[label] && chosen[label].length < perClass) chosen[label].push(i);
  });
  chosen.forEach((list, c) => {
    if (list.length < perClass) {
      throw new ArgumentError({ field: `samples of class ${c}`, expected: `at least ${perClass}`, received: String(list.length) });
    }
  });
  const indices = Int32Array.from(chosen.flat());
  const out = new Uint8Array(indices.length * size);
  indices.forEach((index, k) => {
    out.set(pixels.subarray(index * size, (index + 1) * size), k * size);
  });
  return { count: indices.length, size, indices, labels: Int32Array.from(indices, (i) => labels[i]!), pixels: out };
}

import { shapeSize } from '@offramp/core';
import type { NpyArray } from 'npyjs';
import { DataFileError } from './errors.js';
import { readUserFile } from './model-file.js';
import { readNpz } from './npz-file.js';

/** Images in the model's input layout (float32, batch first) and integer labels. */
export interface LabelledData {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly n: number;
}

const FLOAT_TYPES = new Set(['f2', 'f4', 'f8']);
const INTEGER_TYPES = new Set(['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8']);

function numberAt(array: NpyArray, i: number): number {
  return Number((array.data as unknown as ArrayLike<number | bigint>)[i]!);
}

/** Channels-last [H, W, C] images to channels-first [C, H, W], per sample. */
function toChannelsFirst(values: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(values.length);
  const size = c * h * w;
  for (let s = 0; s < n; s++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) out[s * size + ch * h * w + y * w + x] = values[s * size + (y * w + x) * c + ch]!;
      }
    }
  }
  return out;
}

function checkImages(array: NpyArray | undefined, file: string, inputShape: readonly number[]): Float32Array {
  const field = `${file}:images`;
  if (!array) throw new DataFileError({ field, expected: 'an array named images (np.savez(..., images=..., labels=...))', received: 'no such array' });
  const [n = 0, ...sample] = array.shape;
  if (array.fortranOrder) throw new DataFileError({ field, expected: 'a C-ordered array', received: 'a Fortran-ordered one (use np.ascontiguousarray)' });
  const isUint8 = array.dtype === 'u1';
  if (!isUint8 && !FLOAT_TYPES.has(array.dtype)) {
    throw new DataFileError({ field, expected: 'float32 values in [0, 1] or uint8 values', received: `dtype ${array.dtype}` });
  }
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  const [c, h, w] = inputShape;
  const channelsLast = inputShape.length === 3 ? [h!, w!, c!] : undefined;
  const noChannel = inputShape.length === 3 && c === 1 ? [h!, w!] : undefined;
  const matches = same(sample, inputShape) || (noChannel && same(sample, noChannel)) || (channelsLast && same(sample, channelsLast));
  if (n < 1 || !matches) {
    const layouts = [inputShape, channelsLast, noChannel].filter((s) => s !== undefined).map((s) => `[N, ${s.join(', ')}]`);
    throw new DataFileError({ field, expected: `images of shape ${layouts.join(' or ')} (the model input)`, received: `[${array.shape.join(', ')}]` });
  }
  const count = n * shapeSize(inputShape);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = numberAt(array, i);
    if (!Number.isFinite(v)) {
      throw new DataFileError({ field: `${field}[${i}]`, expected: 'finite values (no NaN or infinity)', received: String(v) });
    }
    values[i] = isUint8 ? v / 255 : v;
  }
  const needsTranspose = channelsLast && !same(sample, inputShape) && same(sample, channelsLast);
  return needsTranspose ? toChannelsFirst(values, n, c!, h!, w!) : values;
}

function checkLabels(array: NpyArray | undefined, file: string, n: number, classes: number): Int32Array {
  const field = `${file}:labels`;
  if (!array) throw new DataFileError({ field, expected: 'an array named labels (integer classes)', received: 'no such array' });
  if (!INTEGER_TYPES.has(array.dtype)) throw new DataFileError({ field, expected: 'integer labels', received: `dtype ${array.dtype}` });
  if (array.shape.length !== 1 || array.shape[0] !== n) {
    throw new DataFileError({ field, expected: `shape [${n}] (one label per image)`, received: `[${array.shape.join(', ')}]` });
  }
  return Int32Array.from({ length: n }, (_, i) => {
    const label = numberAt(array, i);
    if (!(label >= 0 && label < classes)) {
      throw new DataFileError({ field: `${field}[${i}]`, expected: `a class in [0, ${classes - 1}] (the model has ${classes} outputs)`, received: String(label) });
    }
    return label;
  });
}

/**
 * Reads a .npz with `images` (NCHW or NHWC as the model's input, or without the channel axis when it
 * is 1; float in [0, 1] or uint8, scaled by 1/255) and `labels` (integers in [0, classes)). Every
 * problem is a DataFileError naming the file and the array.
 */
export async function readLabelledData(path: string, option: string, inputShape: readonly number[], classes: number): Promise<LabelledData> {
  const arrays = readNpz(await readUserFile(path, option), path);
  const images = checkImages(arrays.get('images'), path, inputShape);
  const n = images.length / shapeSize(inputShape);
  return { images, labels: checkLabels(arrays.get('labels'), path, n, classes), n };
}

import { ModelFileError } from '../errors.js';
import { BinaryReader, BinaryWriter } from './binary.js';

const MAGIC = 'OFSM';
const VERSION = 1;
const FILE = 'samples.bin';

/** A few images of a data set with their labels and their index in it (to look them up in its trace). */
export interface SampleImages {
  readonly count: number;
  /** Values per image (784 for 28 x 28). */
  readonly size: number;
  readonly indices: Int32Array;
  readonly labels: Int32Array;
  /** count x size grey levels as bytes (0 = background, 255 = ink). */
  readonly pixels: Uint8Array;
}

/** A grey level in [0, 1] as the byte the files hold. */
export function toByte(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 255);
}

/** The image `k` as the network reads it: grey levels in [0, 1]. */
export function sampleImage(samples: SampleImages, k: number): Float32Array {
  if (!Number.isInteger(k) || k < 0 || k >= samples.count) {
    throw new ModelFileError({ field: 'sample', expected: `an index in [0, ${samples.count - 1}]`, received: String(k) });
  }
  return Float32Array.from(samples.pixels.subarray(k * samples.size, (k + 1) * samples.size), (b) => b / 255);
}

/** "OFSM", version, count, size (u32 little-endian); indices (u32 each), labels (a byte each), pixels. */
export function encodeSamples(samples: SampleImages): Uint8Array {
  const { count, size } = samples;
  for (const [field, length, expected] of [
    ['indices', samples.indices.length, count],
    ['labels', samples.labels.length, count],
    ['pixels', samples.pixels.length, count * size],
  ] as const) {
    if (length !== expected) throw new ModelFileError({ field: `${field}.length`, expected: String(expected), received: String(length) });
  }
  const writer = new BinaryWriter().magic(MAGIC).uint32(VERSION).uint32(count).uint32(size);
  for (const index of samples.indices) writer.uint32(index);
  return writer.bytes(Uint8Array.from(samples.labels)).bytes(samples.pixels).finish();
}

export function decodeSamples(bytes: Uint8Array): SampleImages {
  const reader = new BinaryReader(bytes, FILE);
  reader.magic(MAGIC);
  reader.uint32('version', VERSION, VERSION);
  const count = reader.uint32('count', 1, 100_000);
  const size = reader.uint32('size', 1, 1 << 20);
  const indices = Int32Array.from({ length: count }, (_, k) => reader.uint32(`indices[${k}]`, 0, 1e7));
  const labels = Int32Array.from(reader.bytes(count, 'labels'));
  const pixels = reader.bytes(count * size, 'pixels');
  reader.end();
  return { count, size, indices, labels, pixels };
}

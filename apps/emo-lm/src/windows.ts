import { ArgumentError, createRng } from '@offramp/core';

/** Token windows of `length` tokens, row-major [count, length]. */
export interface Windows {
  readonly tokens: Int32Array;
  readonly count: number;
  readonly length: number;
}

/** Cuts a token stream into consecutive windows of `length` tokens, stepping by `stride` (default length). */
export function cutWindows(stream: Int32Array, length: number, stride = length): Windows {
  if (!Number.isInteger(length) || length < 2) {
    throw new ArgumentError({ field: 'length', expected: 'a whole number >= 2', received: String(length) });
  }
  if (!Number.isInteger(stride) || stride < 1) {
    throw new ArgumentError({ field: 'stride', expected: 'a whole number >= 1', received: String(stride) });
  }
  const count = stream.length >= length ? Math.floor((stream.length - length) / stride) + 1 : 0;
  const tokens = new Int32Array(count * length);
  for (let i = 0; i < count; i++) tokens.set(stream.subarray(i * stride, i * stride + length), i * length);
  return { tokens, count, length };
}

/** The windows at `rows`, in that order. */
export function takeWindows(windows: Windows, rows: readonly number[]): Windows {
  const tokens = new Int32Array(rows.length * windows.length);
  rows.forEach((row, i) => {
    if (!Number.isInteger(row) || row < 0 || row >= windows.count) {
      throw new ArgumentError({ field: `rows[${i}]`, expected: `a window in [0, ${windows.count - 1}]`, received: String(row) });
    }
    tokens.set(windows.tokens.subarray(row * windows.length, (row + 1) * windows.length), i * windows.length);
  });
  return { tokens, count: rows.length, length: windows.length };
}

/** `count` distinct windows drawn with a seed (all of them, shuffled, when count >= windows.count). */
export function sampleWindows(windows: Windows, count: number, seed: number): Windows {
  const order = createRng(seed).shuffle(Array.from({ length: windows.count }, (_, i) => i));
  return takeWindows(windows, order.slice(0, Math.min(count, windows.count)));
}

/** Batches of windows for one epoch, shuffled with `seed`; the last partial batch is dropped. */
export function* windowBatches(windows: Windows, batchSize: number, seed: number): Generator<Windows> {
  const order = createRng(seed).shuffle(Array.from({ length: windows.count }, (_, i) => i));
  for (let start = 0; start + batchSize <= order.length; start += batchSize) {
    yield takeWindows(windows, order.slice(start, start + batchSize));
  }
}

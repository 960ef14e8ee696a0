import { createRng } from '@offramp/core';
import type { OrtRuntime } from '../src/index.js';
import { loadNodeRuntime } from '../src/index.js';

let runtime: OrtRuntime | undefined;

export async function nodeRuntime(): Promise<OrtRuntime> {
  runtime ??= await loadNodeRuntime();
  return runtime;
}

/** Seeded uniform [0, 1) values. */
export function uniform(count: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: count }, () => rng.next());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** max |a - b| / max(1, |b|): absolute for small values, relative for large logits (float32 sums). */
export function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

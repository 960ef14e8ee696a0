import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, type Module, shapeSize, takeRows, type Trace, softmaxRows } from '@offramp/core';

/** A frozen backbone's features at every exit for a data set, computed once and kept on the host. */
export interface FeatureCache {
  readonly n: number;
  /** Shape of one sample's features at each exit. */
  readonly shapes: readonly (readonly number[])[];
  /** Per exit: n x shapeSize(shapes[l]) values, row-major. */
  readonly features: readonly Float32Array[];
  readonly labels: Int32Array;
}

export interface LabelledImages {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly n: number;
}

/**
 * Runs the (frozen) stages over `data` in batches, in inference mode, and keeps every stage's output: the
 * feature cache that head and gate training reuse instead of running the backbone again.
 */
export async function cacheStageFeatures(
  stages: readonly Module<tf.Tensor, tf.Variable>[],
  data: LabelledImages,
  inputShape: readonly number[],
  batchSize = 256,
): Promise<FeatureCache> {
  if (stages.length === 0) throw new ArgumentError({ field: 'stages', expected: 'at least one stage', received: 'none' });
  const perSample = shapeSize(inputShape);
  if (data.images.length !== data.n * perSample || data.labels.length !== data.n) {
    throw new CountMismatchError({
      field: 'data',
      expected: `${data.n} labels and ${data.n * perSample} pixel values`,
      received: `${data.labels.length} labels and ${data.images.length} values`,
    });
  }
  const shapes = stages.map((s) => [...s.outputShape]);
  const sizes = shapes.map(shapeSize);
  const features = sizes.map((size) => new Float32Array(data.n * size));
  for (let start = 0; start < data.n; start += batchSize) {
    const count = Math.min(batchSize, data.n - start);
    const outputs = tf.tidy(() => {
      let h: tf.Tensor = tf.tensor(data.images.subarray(start * perSample, (start + count) * perSample), [count, ...inputShape]);
      return stages.map((stage) => {
        h = stage.apply(h, false);
        return h;
      });
    });
    for (let l = 0; l < stages.length; l++) features[l]!.set(await outputs[l]!.data(), start * sizes[l]!);
    tf.dispose(outputs);
  }
  return { n: data.n, shapes, features, labels: data.labels };
}

/** The features of exit `exit` for the samples `rows` (all when omitted) as a tensor; the caller disposes it. */
export function featureTensor(cache: FeatureCache, exit: number, rows?: ArrayLike<number>): tf.Tensor {
  const shape = cache.shapes[exit];
  if (!shape) {
    throw new ArgumentError({ field: 'exit', expected: `an exit in [0, ${cache.shapes.length - 1}]`, received: String(exit) });
  }
  const values = rows ? takeRows(cache.features[exit]!, shapeSize(shape), rows) : cache.features[exit]!;
  return tf.tensor(values, [rows ? rows.length : cache.n, ...shape]);
}

/** Every head's logits on the cached features (inference mode), one n x classes array per exit. */
export async function cachedLogits(
  cache: FeatureCache,
  heads: readonly Module<tf.Tensor, tf.Variable>[],
  batchSize = 512,
): Promise<Float32Array[]> {
  if (heads.length !== cache.shapes.length) {
    throw new CountMismatchError({ field: 'heads.length', expected: `${cache.shapes.length} (one per exit)`, received: String(heads.length) });
  }
  const out: Float32Array[] = [];
  for (let l = 0; l < heads.length; l++) {
    const parts: Float32Array[] = [];
    for (let start = 0; start < cache.n; start += batchSize) {
      const rows = Int32Array.from({ length: Math.min(batchSize, cache.n - start) }, (_, i) => start + i);
      const logits = tf.tidy(() => heads[l]!.apply(featureTensor(cache, l, rows), false));
      parts.push((await logits.data()) as Float32Array);
      logits.dispose();
    }
    const joined = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.length;
    }
    out.push(joined);
  }
  return out;
}

/**
 * A core Trace from the cached features and the heads (what collectTrace would give on the same network),
 * with the hidden states when `hidden` is true. Evaluating gates on it needs no backbone run.
 */
export async function traceFromCache(
  cache: FeatureCache,
  heads: readonly Module<tf.Tensor, tf.Variable>[],
  classes: number,
  options: { readonly hidden?: boolean } = {},
): Promise<Trace> {
  const logits = await cachedLogits(cache, heads);
  return {
    n: cache.n,
    exits: heads.length,
    classes,
    logits,
    probs: logits.map((z) => softmaxRows(z, classes)),
    ...(options.hidden ? { hidden: cache.features, hiddenSizes: cache.shapes.map(shapeSize) } : {}),
  };
}

import { ArgumentError, InputShapeError } from '@offramp/core';

/**
 * How a stage's features are laid out in the graph. 'NCHW' and 'NHWC' are per-sample
 * [C, H, W] and [H, W, C]; 'flat' is a vector. On the host (toHost, heads trained in tfjs) features
 * are always channels-last: NCHW maps are transposed to [H, W, C].
 */
export type FeatureLayout = 'NCHW' | 'NHWC' | 'flat';

export interface FeatureSpec {
  /** Per-sample shape as the graph holds it ([C, H, W] for NCHW). */
  readonly shape: readonly number[];
  readonly layout: FeatureLayout;
}

const LAYOUTS: readonly FeatureLayout[] = ['NCHW', 'NHWC', 'flat'];

export function checkFeatureSpec(spec: FeatureSpec, field: string): FeatureSpec {
  if (spec === null || typeof spec !== 'object') {
    throw new ArgumentError({ field, expected: 'a feature spec { shape, layout }', received: String(spec) });
  }
  if (!LAYOUTS.includes(spec.layout)) {
    throw new ArgumentError({
      field: `${field}.layout`,
      expected: "'NCHW', 'NHWC' or 'flat'",
      received: JSON.stringify(spec.layout),
    });
  }
  if (!Array.isArray(spec.shape) || spec.shape.length === 0 || !spec.shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InputShapeError({
      field: `${field}.shape`,
      expected: 'a per-sample shape of whole numbers >= 1 (without the batch axis)',
      received: JSON.stringify(spec.shape),
    });
  }
  const rank = spec.shape.length;
  if ((spec.layout === 'NCHW' && rank !== 3) || (spec.layout === 'flat' && rank !== 1)) {
    throw new InputShapeError({
      field: `${field}.shape`,
      expected: spec.layout === 'NCHW' ? '[C, H, W] for NCHW features' : '[D] for flat features',
      received: JSON.stringify(spec.shape),
    });
  }
  return { shape: Object.freeze([...spec.shape]), layout: spec.layout };
}

/** The channels-last per-sample shape of a feature: [H, W, C] for NCHW, the shape itself otherwise. */
export function hostShape(spec: FeatureSpec): number[] {
  if (spec.layout === 'NCHW') {
    const [c, h, w] = spec.shape as [number, number, number];
    return [h, w, c];
  }
  return [...spec.shape];
}

/** Transposes a batch of NCHW maps to NHWC on the host. */
export function nchwToNhwc(data: Float32Array, batch: number, shape: readonly number[]): Float32Array {
  const [c, h, w] = shape as [number, number, number];
  const out = new Float32Array(data.length);
  const plane = h * w;
  const size = c * plane;
  for (let n = 0; n < batch; n++) {
    const base = n * size;
    for (let ch = 0; ch < c; ch++) {
      const from = base + ch * plane;
      for (let p = 0; p < plane; p++) out[base + p * c + ch] = data[from + p]!;
    }
  }
  return out;
}

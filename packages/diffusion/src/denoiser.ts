import type * as tf from '@tensorflow/tfjs';

/**
 * A noise-conditioned image network: given images x [batch, h, w, channels] and a noise level per sample
 * t [batch], it predicts a tensor shaped like x (the velocity eps - x0 for rectified flow).
 */
export interface Denoiser {
  readonly name: string;
  /** Image channels in and out. */
  readonly channels: number;
  /** Height and width must be multiples of this (the network halves them this many times over). */
  readonly sizeDivisor: number;
  readonly variables: readonly tf.Variable[];
  /** Forward pass; the caller owns the result. Throws InputShapeError on a resolution it cannot take. */
  predict(x: tf.Tensor4D, t: tf.Tensor1D): tf.Tensor4D;
  dispose(): void;
}

import { ArgumentError } from '@offramp/core';

/** Padding of a convolution, as tfjs names it. */
export type ConvPadding = 'same' | 'valid';

/** MACs per sample of a dense layer: one multiply-accumulate per weight (the bias add is not counted). */
export function denseMacs(inputs: number, outputs: number): number {
  return inputs * outputs;
}

/**
 * Output length of a convolution along one axis: 'same' gives ceil(in / stride), 'valid'
 * ceil((in - kernel + 1) / stride). Throws when a 'valid' kernel is larger than the input.
 */
export function conv2dOutputSize(
  input: number,
  kernelSize: number,
  strides: number,
  padding: ConvPadding,
  field = 'kernelSize',
): number {
  if (padding === 'same') return Math.ceil(input / strides);
  if (kernelSize > input) {
    throw new ArgumentError({
      field,
      expected: `at most ${input} (the input size) with 'valid' padding`,
      received: String(kernelSize),
    });
  }
  return Math.ceil((input - kernelSize + 1) / strides);
}

export interface Conv2dShape {
  /** Per-sample input [height, width, channels] (NHWC without the batch). */
  readonly inputShape: readonly [number, number, number];
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides?: number;
  readonly padding?: ConvPadding;
}

/** Per-sample output [outH, outW, filters] of a square-kernel convolution. */
export function conv2dOutputShape(shape: Conv2dShape): [number, number, number] {
  const [h, w] = shape.inputShape;
  const strides = shape.strides ?? 1;
  const padding = shape.padding ?? 'same';
  return [
    conv2dOutputSize(h, shape.kernelSize, strides, padding),
    conv2dOutputSize(w, shape.kernelSize, strides, padding),
    shape.filters,
  ];
}

/** MACs per sample of a convolution: outH * outW * kh * kw * cin * cout (bias adds not counted). */
export function conv2dMacs(shape: Conv2dShape): number {
  const [outH, outW] = conv2dOutputShape(shape);
  const channels = shape.inputShape[2];
  return outH * outW * shape.kernelSize * shape.kernelSize * channels * shape.filters;
}

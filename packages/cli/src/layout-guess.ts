import type { FeatureLayout } from '@offramp/onnx';

/**
 * How a per-sample tensor is probably laid out: rank 1 is 'flat'; rank 3 after a convolution (and
 * not made by a Transpose) is 'NCHW' ([C, H, W], as PyTorch and ONNX convolutions give it); anything
 * else is taken as it is ('NHWC': the head sees the tensor unchanged, its last axis as channels).
 */
export function guessLayout(shape: readonly number[], producer: string, afterConvolution: boolean): FeatureLayout {
  if (shape.length === 1) return 'flat';
  if (shape.length === 3 && afterConvolution && producer !== 'Transpose') return 'NCHW';
  return 'NHWC';
}

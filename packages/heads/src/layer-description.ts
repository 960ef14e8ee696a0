import type * as tf from '@tensorflow/tfjs';

/**
 * One layer of a stage or head, in the order they run, with the live variables that hold its
 * weights. Exporters (e.g. to ONNX) read a module's structure from this list. Tensors are NHWC
 * as in tfjs; dense kernels are [inputs, outputs], conv kernels [kh, kw, cin, cout].
 */
export type LayerDescription =
  | { readonly op: 'dense'; readonly kernel: tf.Variable; readonly bias: tf.Variable }
  | {
      readonly op: 'conv2d';
      readonly kernel: tf.Variable;
      readonly bias: tf.Variable;
      readonly strides: number;
      readonly padding: 'same' | 'valid';
    }
  | { readonly op: 'relu' }
  | { readonly op: 'maxPool'; readonly size: number; readonly strides: number }
  /** Average pooling over size x size windows ('valid' padding). */
  | { readonly op: 'avgPool'; readonly size: number; readonly strides: number }
  /** Global pooling over every axis but the last (channels). */
  | { readonly op: 'globalPool'; readonly kind: 'avg' | 'max' }
  /** Flatten every axis but the batch, in row-major (NHWC) order. */
  | { readonly op: 'flatten' };

const described = new WeakMap<object, readonly LayerDescription[]>();

/** Records the layers of `module` (returned as is) so exporters can read them. */
export function attachLayers<M extends object>(module: M, layers: readonly LayerDescription[]): M {
  described.set(module, Object.freeze([...layers]));
  return module;
}

/** The layers recorded for `module`, or undefined when it was not built with a description. */
export function describeLayers(module: object): readonly LayerDescription[] | undefined {
  return described.get(module);
}

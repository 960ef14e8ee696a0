import type { HostTensor } from './graph-builder.js';

/**
 * One layer with its weights on the host, channels-last as in tfjs: dense kernels [inputs, outputs],
 * conv kernels [kh, kw, cin, cout]. The exporter turns a list of these into ONNX nodes.
 */
export type HostLayer =
  | { readonly op: 'dense'; readonly kernel: HostTensor; readonly bias: HostTensor }
  | {
      readonly op: 'conv2d';
      readonly kernel: HostTensor;
      readonly bias: HostTensor;
      readonly strides: number;
      readonly padding: 'same' | 'valid';
    }
  | { readonly op: 'relu' }
  | { readonly op: 'maxPool'; readonly size: number; readonly strides: number }
  | { readonly op: 'avgPool'; readonly size: number; readonly strides: number }
  | { readonly op: 'globalPool'; readonly kind: 'avg' | 'max' }
  | { readonly op: 'flatten' };

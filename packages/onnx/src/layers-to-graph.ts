import { ArgumentError, InputShapeError } from '@offramp/core';
import type { FeatureSpec } from './feature.js';
import type { GraphBuilder, HostTensor } from './graph-builder.js';
import type { HostLayer } from './host-layer.js';

/** A tensor flowing through the graph being built, with its per-sample shape in graph layout. */
export interface GraphValue {
  readonly name: string;
  readonly feature: FeatureSpec;
}

const TO_NCHW = [0, 3, 1, 2];

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function toNchw(b: GraphBuilder, x: GraphValue, field: string): GraphValue {
  if (x.feature.layout === 'NCHW') return x;
  if (x.feature.layout !== 'NHWC' || x.feature.shape.length !== 3) {
    throw new InputShapeError({
      field,
      expected: 'an image feature map [H, W, C] or [C, H, W]',
      received: `${x.feature.layout} ${shapeText(x.feature.shape)}`,
    });
  }
  const [h, w, c] = x.feature.shape as [number, number, number];
  return {
    name: b.node('Transpose', [x.name], { perm: { ints: TO_NCHW } }),
    feature: { shape: [c, h, w], layout: 'NCHW' },
  };
}

/** tfjs 'same' padding: total = max((out - 1) * s + k - in, 0), the extra pixel at the end. */
function samePads(input: number, kernel: number, strides: number): [number, number] {
  const out = Math.ceil(input / strides);
  const total = Math.max((out - 1) * strides + kernel - input, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** [kh, kw, cin, cout] -> [cout, cin, kh, kw] */
function convKernelToOnnx(kernel: HostTensor): HostTensor {
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  const out = new Float32Array(kernel.values.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) {
          out[((co * cin + ci) * kh + i) * kw + j] = kernel.values[((i * kw + j) * cin + ci) * cout + co]!;
        }
  return { shape: [cout, cin, kh, kw], values: out };
}

function conv2d(b: GraphBuilder, x: GraphValue, layer: Extract<HostLayer, { op: 'conv2d' }>, field: string): GraphValue {
  const input = toNchw(b, x, field);
  const [cin, h, w] = input.feature.shape as [number, number, number];
  const [kh, kw, kcin, cout] = layer.kernel.shape as [number, number, number, number];
  if (kcin !== cin) {
    throw new InputShapeError({ field: `${field}.kernel`, expected: `${cin} input channels`, received: String(kcin) });
  }
  const s = layer.strides;
  let pads = [0, 0, 0, 0];
  let outH: number;
  let outW: number;
  if (layer.padding === 'same') {
    const [top, bottom] = samePads(h, kh, s);
    const [left, right] = samePads(w, kw, s);
    pads = [top, left, bottom, right];
    outH = Math.ceil(h / s);
    outW = Math.ceil(w / s);
  } else {
    outH = Math.ceil((h - kh + 1) / s);
    outW = Math.ceil((w - kw + 1) / s);
  }
  const weight = b.weight('conv_w', convKernelToOnnx(layer.kernel));
  const bias = b.weight('conv_b', layer.bias);
  const name = b.node('Conv', [input.name, weight, bias], {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: [s, s] },
    pads: { ints: pads },
  });
  return { name, feature: { shape: [cout, outH, outW], layout: 'NCHW' } };
}

/** MaxPool or AveragePool over size x size windows, 'valid' padding (as tf.maxPool / tf.avgPool with 'valid'). */
function windowPool(b: GraphBuilder, x: GraphValue, layer: Extract<HostLayer, { op: 'maxPool' | 'avgPool' }>, field: string): GraphValue {
  const input = toNchw(b, x, field);
  const [c, h, w] = input.feature.shape as [number, number, number];
  const name = b.node(layer.op === 'maxPool' ? 'MaxPool' : 'AveragePool', [input.name], {
    kernel_shape: { ints: [layer.size, layer.size] },
    strides: { ints: [layer.strides, layer.strides] },
  });
  const out = (n: number) => Math.floor((n - layer.size) / layer.strides) + 1;
  return { name, feature: { shape: [c, out(h), out(w)], layout: 'NCHW' } };
}

function globalPool(b: GraphBuilder, x: GraphValue, kind: 'avg' | 'max', field: string): GraphValue {
  const { shape, layout } = x.feature;
  if (layout === 'flat') {
    throw new InputShapeError({ field, expected: 'features of rank >= 2 to pool', received: shapeText(shape) });
  }
  const rank = shape.length;
  const axes = layout === 'NCHW' ? [2, 3] : Array.from({ length: rank - 1 }, (_, i) => i + 1);
  const channels = layout === 'NCHW' ? shape[0]! : shape[rank - 1]!;
  const name = b.node(kind === 'avg' ? 'ReduceMean' : 'ReduceMax', [x.name], {
    axes: { ints: axes },
    keepdims: { int: 0 },
  });
  return { name, feature: { shape: [channels], layout: 'flat' } };
}

/**
 * Row permutation that makes a dense layer written for channels-last flattening read an NCHW
 * flattening: graph index (c, h, w) takes the kernel row of host index (h, w, c).
 */
function permuteRowsForNchw(kernel: HostTensor, chw: readonly number[]): HostTensor {
  const [c, h, w] = chw as [number, number, number];
  const [, outputs] = kernel.shape as [number, number];
  const values = new Float32Array(kernel.values.length);
  for (let ch = 0; ch < c; ch++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const graphRow = (ch * h + y) * w + x;
        const hostRow = (y * w + x) * c + ch;
        values.set(kernel.values.subarray(hostRow * outputs, (hostRow + 1) * outputs), graphRow * outputs);
      }
  return { shape: kernel.shape, values };
}

function dense(b: GraphBuilder, x: GraphValue, kernel: HostTensor, bias: HostTensor, field: string): GraphValue {
  const [inputs, outputs] = kernel.shape as [number, number];
  if (x.feature.layout !== 'flat' || x.feature.shape[0] !== inputs) {
    throw new InputShapeError({
      field: `${field}.kernel`,
      expected: `a kernel whose inputs match the features ${x.feature.layout} ${shapeText(x.feature.shape)}`,
      received: shapeText(kernel.shape),
    });
  }
  const w = b.weight('dense_w', kernel);
  const bb = b.weight('dense_b', bias);
  return { name: b.node('Gemm', [x.name, w, bb]), feature: { shape: [outputs], layout: 'flat' } };
}

/** Appends the layers to the graph, starting from `x`; returns the last value. */
export function appendLayers(
  b: GraphBuilder,
  x: GraphValue,
  layers: readonly HostLayer[],
  field: string,
): GraphValue {
  let value = x;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const at = `${field}[${i}]`;
    switch (layer.op) {
      case 'conv2d':
        value = conv2d(b, value, layer, at);
        break;
      case 'relu':
        value = { name: b.node('Relu', [value.name]), feature: value.feature };
        break;
      case 'maxPool':
      case 'avgPool':
        value = windowPool(b, value, layer, at);
        break;
      case 'globalPool':
        value = globalPool(b, value, layer.kind, at);
        break;
      case 'flatten': {
        const size = value.feature.shape.reduce((a, d) => a * d, 1);
        const next = layers[i + 1];
        if (value.feature.layout === 'NCHW' && next?.op === 'dense') {
          // Flatten in graph order and permute the next kernel's rows instead of transposing.
          const flat = b.node('Flatten', [value.name], { axis: { int: 1 } });
          const kernel = permuteRowsForNchw(next.kernel, value.feature.shape);
          value = dense(b, { name: flat, feature: { shape: [size], layout: 'flat' } }, kernel, next.bias, `${field}[${i + 1}]`);
          i += 1;
          break;
        }
        const source =
          value.feature.layout === 'NCHW'
            ? b.node('Transpose', [value.name], { perm: { ints: [0, 2, 3, 1] } })
            : value.name;
        value = { name: b.node('Flatten', [source], { axis: { int: 1 } }), feature: { shape: [size], layout: 'flat' } };
        break;
      }
      case 'dense':
        value = dense(b, value, layer.kernel, layer.bias, at);
        break;
      default:
        throw new ArgumentError({ field: `${at}.op`, expected: 'a known layer op', received: JSON.stringify(layer) });
    }
  }
  return value;
}

import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'Conv2DBackpropFilter';
const BACKEND = 'wasm';

type Shape4 = [number, number, number, number];

/** The part of a tfjs backend this kernel uses: freeing intermediate results. */
interface DisposingBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

function wasmKernel(name: string): tf.KernelFunc {
  const config = tf.getKernel(name, BACKEND);
  if (!config) {
    throw new ArgumentError({
      field: 'backend',
      expected: `the wasm backend's ${name} kernel (import @tensorflow/tfjs-backend-wasm first)`,
      received: 'no such kernel registered',
    });
  }
  return config.kernelFunc;
}

function single(result: tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
  return Array.isArray(result) ? result[0]! : result;
}

/**
 * dW = d(loss)/d(filter) of an NHWC conv2d, computed with the wasm kernels Transpose, Slice and
 * Conv2D. The sum
 *   dW[kh, kw, ci, co] = sum_{b, oh, ow} x[b, oh*s + kh*d - padTop, ow*s + kw*d - padLeft, ci] * dy[b, oh, ow, co]
 * is itself a convolution: x transposed to [Ci, H, W, B] is the input, dy transposed to
 * [OH, OW, B, Co] the filter, with stride d and dilation s (swapped), padded on top/left as the
 * forward pass and on bottom/right so that exactly KH x KW outputs come out. Rows and columns the
 * forward pass never read are cut off first. The [Ci, KH, KW, Co] result is transposed to
 * [KH, KW, Ci, Co].
 */
export function conv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const x = args.inputs.x!;
  const dy = args.inputs.dy!;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat !== 'NHWC') {
    throw new ArgumentError({
      field: 'attrs.dataFormat',
      expected: "'NHWC' (the wasm Conv2DBackpropFilter handles channels-last only)",
      received: JSON.stringify(attrs.dataFormat),
    });
  }
  const backend = args.backend as DisposingBackend;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const transpose = wasmKernel('Transpose');
  const conv2d = wasmKernel('Conv2D');
  const slice = wasmKernel('Slice');

  // Padded length the forward pass spans: (K - 1) * d + (O - 1) * s + 1.
  const spanH = (info.filterHeight - 1) * info.dilationHeight + (info.outHeight - 1) * info.strideHeight + 1;
  const spanW = (info.filterWidth - 1) * info.dilationWidth + (info.outWidth - 1) * info.strideWidth + 1;
  const padBottom = spanH - info.inHeight - info.padInfo.top;
  const padRight = spanW - info.inWidth - info.padInfo.left;

  const temporaries: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => {
    temporaries.push(t);
    return t;
  };
  try {
    let input = x;
    if (padBottom < 0 || padRight < 0) {
      const size = [info.batchSize, info.inHeight + Math.min(0, padBottom), info.inWidth + Math.min(0, padRight), info.inChannels];
      input = keep(single(slice({ inputs: { x }, backend: args.backend, attrs: { begin: [0, 0, 0, 0], size } })));
    }
    const xT = keep(single(transpose({ inputs: { x: input }, backend: args.backend, attrs: { perm: [3, 1, 2, 0] } })));
    const dyT = keep(single(transpose({ inputs: { x: dy }, backend: args.backend, attrs: { perm: [1, 2, 0, 3] } })));
    const pad = [
      [0, 0],
      [info.padInfo.top, Math.max(0, padBottom)],
      [info.padInfo.left, Math.max(0, padRight)],
      [0, 0],
    ];
    const grad = keep(
      single(
        conv2d({
          inputs: { x: xT, filter: dyT },
          backend: args.backend,
          attrs: {
            strides: [info.dilationHeight, info.dilationWidth],
            dilations: [info.strideHeight, info.strideWidth],
            pad,
            dataFormat: 'NHWC',
          },
        }),
      ),
    );
    return single(transpose({ inputs: { x: grad }, backend: args.backend, attrs: { perm: [1, 2, 0, 3] } }));
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

/**
 * Registers Conv2DBackpropFilter for the 'wasm' backend (tfjs-backend-wasm 4.x lacks it, so
 * conv2d cannot train there without it). Does nothing when one is already registered.
 */
export function registerWasmConv2DBackpropFilter(): void {
  if (tf.getKernel(KERNEL, BACKEND) !== undefined) return;
  tf.registerKernel({ kernelName: KERNEL, backendName: BACKEND, kernelFunc: conv2dBackpropFilterWasm });
}

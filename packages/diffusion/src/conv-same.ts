import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

function checkKernel(w: tf.Tensor): void {
  const [kh, kw] = w.shape;
  if (w.rank !== 4 || kh !== kw || kh! % 2 !== 1) {
    throw new ArgumentError({ field: 'kernel.shape', expected: '[k, k, in, out] with an odd k', received: `[${w.shape.join(', ')}]` });
  }
}

/**
 * A stride-1 'same' conv2d (NHWC, odd square kernel) with its own gradient. The input gradient is the
 * convolution of dy with the kernel rotated by 180 degrees and with in/out channels swapped
 * (dx[b, i, j, c] = sum_{u, v, o} dy[b, i - u + p, j - v + p, o] w[u, v, c, o]), which the wasm backend runs
 * as a fast forward Conv2D instead of its slow Conv2DBackpropInput kernel. The kernel gradient is the
 * backend's Conv2DBackpropFilter.
 */
export function conv2dSame(x: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  checkKernel(kernel);
  return convSame(x, kernel) as tf.Tensor4D;
}

const convSame = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input, kernel] = saved as [tf.Tensor4D, tf.Tensor4D];
      const flipped = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
      const dx = tf.conv2d(dy as tf.Tensor4D, flipped, 1, 'same');
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: input, dy }, {
        strides: [1, 1],
        pad: 'same',
        dataFormat: 'NHWC',
        dilations: [1, 1],
        filterShape: kernel.shape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      return [dx, dw];
    },
  };
});

import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[perm.length - 1] = perm.length - 2;
  perm[perm.length - 2] = perm.length - 1;
  return tf.transpose(x, perm);
}

const product = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const a = inputs[0] as tf.Tensor;
  const b = inputs[1] as tf.Tensor;
  const save = inputs[2] as tf.GradSaveFunc;
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy, swapLast(saved[1]!)),
      tf.matMul(swapLast(saved[0]!), dy),
    ],
  };
});

/**
 * a @ b (rank 2, or batched of equal rank) whose gradients transpose operands explicitly before multiplying.
 * Same values and gradients as tf.matMul; on tfjs-wasm, products with transposeA/transposeB flags (which the
 * built-in gradient uses) run many times slower than a transpose followed by a plain product.
 */
export function matMulPlain(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return product(a, b);
}

/** a @ b^T with the transpose of b made explicit (see matMulPlain). */
export function matMulTransposed(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return product(a, swapLast(b));
}

import * as tf from '@tensorflow/tfjs';

const stopped = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([x]);
  return {
    value: tf.clone(x),
    gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.zerosLike(saved[0]!),
  };
});

/**
 * The value of `x` with no gradient flowing back into it (tfjs 4.22 has no stop-gradient op):
 * a custom gradient whose value is x and whose gradient is zeros. The caller disposes the result.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => stopped(x) as T);
}

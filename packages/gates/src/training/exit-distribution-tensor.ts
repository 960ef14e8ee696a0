import * as tf from '@tensorflow/tfjs';
import { InputShapeError } from '@offramp/core';

/**
 * JEI-DNN's exit distribution of each row of batch x (L - 1) gate values g, with gradients:
 * pi_l = max(0, min(g_l, 1 - sum_{k<l} g_k)) for l < L - 1 and pi_{L-1} = 1 - sum_{l<L-1} pi_l.
 * Returns batch x L.
 */
export function exitDistributionTensor(gates: tf.Tensor2D): tf.Tensor2D {
  if (gates.rank !== 2) {
    throw new InputShapeError({ field: 'gates', expected: 'a rank-2 tensor (batch x gated exits)', received: `shape [${gates.shape.join(', ')}]` });
  }
  return tf.tidy(() => {
    const [n, gated] = gates.shape;
    const columns = tf.unstack(gates, 1) as tf.Tensor1D[];
    const pis: tf.Tensor1D[] = [];
    let gateSum: tf.Tensor1D = tf.zeros([n]);
    for (let l = 0; l < gated; l++) {
      const g = columns[l]!;
      pis.push(tf.relu(tf.minimum(g, tf.sub(1, gateSum))) as tf.Tensor1D);
      gateSum = tf.add(gateSum, g);
    }
    const piSum = gated === 0 ? tf.zeros([n]) : tf.addN(pis);
    pis.push(tf.sub(1, piSum) as tf.Tensor1D);
    return tf.stack(pis, 1) as tf.Tensor2D;
  });
}

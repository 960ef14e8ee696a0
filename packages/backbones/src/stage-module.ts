import { ArgumentError, checkBatchShape } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import type { TfModule } from '@offramp/heads';

export interface StageParts {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly macs: number;
  readonly variables: readonly tf.Variable[];
  /** The computation on a batch whose shape has been checked; runs inside tf.tidy. */
  readonly forward: (x: tf.Tensor) => tf.Tensor;
}

/** Wraps a stage's computation as a TfModule that checks its input and cleans its intermediates. */
export function assembleStage(parts: StageParts): TfModule {
  let disposed = false;
  const variables = Object.freeze([...parts.variables]);
  return {
    name: parts.name,
    inputShape: Object.freeze([...parts.inputShape]),
    outputShape: Object.freeze([...parts.outputShape]),
    macs: parts.macs,
    variables,
    apply(x: tf.Tensor): tf.Tensor {
      if (disposed) {
        throw new ArgumentError({ field: parts.name, expected: 'a live stage', received: 'a disposed stage' });
      }
      checkBatchShape(x.shape, parts.inputShape, 'x');
      return tf.tidy(() => parts.forward(x));
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.dispose();
    },
  };
}

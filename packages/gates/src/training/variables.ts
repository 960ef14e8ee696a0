import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '@offramp/core';

/** Throws when a live tfjs variable already has this name. */
export function checkFreeName(name: string, field: string): void {
  if (tf.engine().registeredVariables[name] !== undefined) {
    throw new ArgumentError({
      field,
      expected: 'a name no live tfjs variable uses (dispose the old gates or pick another name)',
      received: `${JSON.stringify(name)}, whose variable exists`,
    });
  }
}

/** A trainable variable drawn uniformly from [-limit, limit] with a seed. */
export function seededUniform(name: string, shape: number[], limit: number, seed: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed), true, name));
}

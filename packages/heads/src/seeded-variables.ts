import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

/** Throws when a tfjs variable of that name is already registered (tfjs names are global). */
export function checkVariableNameFree(name: string, field: string): void {
  if (tf.engine().registeredVariables[name] !== undefined) {
    throw new ArgumentError({
      field,
      expected: 'a name no live tfjs variable uses (dispose the old module or pick another name)',
      received: `${JSON.stringify(name)}, whose variable exists`,
    });
  }
}

/**
 * A trainable variable initialised with glorot uniform drawn from `seed`. For a conv kernel
 * [kh, kw, cin, cout] the fans are kh*kw*cin and kh*kw*cout.
 */
export function glorotVariable(name: string, shape: number[], seed: number): tf.Variable {
  const initial = tf.initializers.glorotUniform({ seed }).apply(shape);
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

/** A trainable variable of zeros. */
export function zerosVariable(name: string, shape: number[]): tf.Variable {
  const initial = tf.zeros(shape);
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

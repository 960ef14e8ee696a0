import type { TwoStreamModel } from '@offramp/backbones';
import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

/** Memory of n samples on the host: n x memoryLength x d (from `buildMemory`) and the 0/1 real-text mask. */
export interface HostMemory {
  readonly n: number;
  readonly states: Float32Array;
  /** n x textLength: 1 for a real text token, 0 for padding. */
  readonly textReal: Float32Array;
}

/** The memory LN([image; text]) of stream outputs, on the host (in batches). */
export function buildMemory(
  model: TwoStreamModel,
  image: { readonly n: number; readonly states: Float32Array },
  text: { readonly n: number; readonly states: Float32Array },
  textReal: Float32Array,
  batchSize = 512,
): HostMemory {
  const n = image.n;
  const d = model.options.dModel;
  const p = model.patches;
  const t = model.options.textLength;
  if (text.n !== n || image.states.length !== n * p * d || text.states.length !== n * t * d || textReal.length !== n * t) {
    throw new ArgumentError({
      field: 'text',
      expected: `${n} samples of ${p} image and ${t} text positions`,
      received: `${text.n} texts, ${image.states.length} image and ${text.states.length} text values`,
    });
  }
  const states = new Float32Array(n * model.memoryLength * d);
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    const values = tf.tidy(() => {
      const img = tf.tensor3d(image.states.subarray(from * p * d, to * p * d), [to - from, p, d]);
      const txt = tf.tensor3d(text.states.subarray(from * t * d, to * t * d), [to - from, t, d]);
      return model.memory(img, txt);
    });
    states.set(values.dataSync(), from * model.memoryLength * d);
    values.dispose();
  }
  return { n, states, textReal };
}

/** Checks that a host memory holds n samples of the model's memory and text flags. */
export function checkMemory(model: TwoStreamModel, memory: HostMemory): void {
  const size = model.memoryLength * model.options.dModel;
  if (memory.states.length !== memory.n * size || memory.textReal.length !== memory.n * model.options.textLength) {
    throw new ArgumentError({
      field: 'memory',
      expected: `${memory.n} x ${model.memoryLength} x ${model.options.dModel} states and ${memory.n} x ${model.options.textLength} text flags`,
      received: `${memory.states.length} states and ${memory.textReal.length} flags`,
    });
  }
}

/** Memory tensors of rows [from, to): the states and the additive mask of padded text. */
export function memoryTensors(model: TwoStreamModel, memory: HostMemory, from: number, to: number): { states: tf.Tensor; mask: tf.Tensor } {
  const size = model.memoryLength * model.options.dModel;
  const t = model.options.textLength;
  return tf.tidy(() => {
    const states = tf.tensor3d(memory.states.subarray(from * size, to * size), [to - from, model.memoryLength, model.options.dModel]);
    const real = tf.tensor2d(memory.textReal.subarray(from * t, to * t), [to - from, t]);
    return { states, mask: model.memoryMask(real) };
  });
}

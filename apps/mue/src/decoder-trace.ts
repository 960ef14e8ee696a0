import type { TwoStreamModel } from '@offramp/backbones';
import { cosineRows, softmaxRows, type Trace } from '@offramp/core';
import { VL_BOS, VL_VOCABULARY } from '@offramp/data';
import type { HostMemory } from '@offramp/sequence';
import * as tf from '@tensorflow/tfjs';

const ANSWERS = [VL_VOCABULARY.id('no'), VL_VOCABULARY.id('yes')];

/**
 * A trace of the one-step entailment decoder: every decoder layer's answer logits (class 0 = "no", 1 = "yes",
 * through the shared head) and cos(h_l, h_{l-1}) of the decoded position, for every sample. With one step there
 * are no cached states, so any decoder threshold can be evaluated on it exactly (calibration's threshold sweep).
 */
export async function entailmentDecoderTrace(model: TwoStreamModel, memory: HostMemory, batchSize = 256): Promise<Trace> {
  const layers = model.options.decoderLayers;
  const d = model.options.dModel;
  const m = model.memoryLength;
  const t = model.options.textLength;
  const n = memory.n;
  const logits = Array.from({ length: layers }, () => new Float32Array(n * 2));
  const similarity = Array.from({ length: layers }, () => new Float32Array(n));
  for (let from = 0; from < n; from += batchSize) {
    const b = Math.min(n, from + batchSize) - from;
    const outputs = tf.tidy(() => {
      const states = tf.tensor3d(memory.states.subarray(from * m * d, (from + b) * m * d), [b, m, d]);
      const mask = model.memoryMask(tf.tensor2d(memory.textReal.subarray(from * t, (from + b) * t), [b, t]));
      let x = model.embedDecoder(tf.fill([b, 1], VL_BOS, 'int32'));
      const hidden: tf.Tensor[] = [x];
      const answers: tf.Tensor[] = [];
      for (let l = 0; l < layers; l++) {
        x = model.decoderLayer(l, x, model.memoryKeysValues(l, states), mask).output;
        hidden.push(x);
        answers.push(tf.gather(tf.reshape(model.head(x), [b, -1]), ANSWERS, 1));
      }
      return { hidden: hidden.map((h) => tf.reshape(h, [b, d])), answers };
    });
    const hidden = outputs.hidden.map((h) => h.dataSync() as Float32Array);
    for (let l = 0; l < layers; l++) {
      logits[l]!.set(outputs.answers[l]!.dataSync(), from * 2);
      similarity[l]!.set(cosineRows(hidden[l + 1]!, hidden[l]!, d), from);
    }
    tf.dispose([...outputs.hidden, ...outputs.answers]);
  }
  return { n, exits: layers, classes: 2, logits, probs: logits.map((z) => softmaxRows(z, 2)), similarity };
}

/**
 * Exact decoder MACs of a one-step answer that left at decoder layer `exit` (as decodeWithExits counts them; with
 * one step no later step attends to the skipped layers, so no copied state is made).
 */
export function oneStepDecoderMacs(model: TwoStreamModel, exit: number): number {
  const layers = model.options.decoderLayers;
  const mm = model.macs;
  return (
    (exit + 1) * (mm.decoderLayer(1, model.memoryLength) + mm.memoryKeysValues(model.memoryLength)) +
    Math.min(exit + 1, layers - 1) * mm.similarity(model.options.dModel) +
    mm.head
  );
}

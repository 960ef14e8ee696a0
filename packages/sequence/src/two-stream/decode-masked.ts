import type { TwoStreamModel } from '@offramp/backbones';
import { argmaxRows, cosineRows } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { copiedStateCount } from './copied-states.js';
import { type DecodeOptions, type DecodeResult, policyAt } from './decode-options.js';
import { type DecoderCache, disposeCaches, replaceCache } from './decoder-cache.js';
import { type HostMemory, memoryTensors } from './memory.js';
import { similarityDecision } from './similarity-decision.js';
import { stepMacs } from './step-macs.js';

/**
 * Every layer for the rows [from, to) of the memory, the exits applied by masking (a row that left keeps its state
 * through the layers above): the tokens, exits and MACs of decodeOne, without the saving.
 */
export async function decodeMasked(
  model: TwoStreamModel,
  memory: HostMemory,
  from: number,
  to: number,
  options: DecodeOptions,
  out: DecodeResult,
): Promise<void> {
  const layers = model.options.decoderLayers;
  const vocab = model.options.vocabSize;
  const d = model.options.dModel;
  const b = to - from;
  const { states, mask } = memoryTensors(model, memory, from, to);
  const cross = Array.from({ length: layers }, (_, l) => tf.tidy(() => model.memoryKeysValues(l, states)));
  const caches: (DecoderCache | undefined)[] = new Array(layers).fill(undefined);
  const deepest = new Int32Array(b).fill(-1);
  const finished = new Uint8Array(b);
  let tokens: Int32Array = new Int32Array(b).fill(options.bos);
  try {
    for (let t = 0; t < options.steps; t++) {
      const policy = policyAt(options, t);
      const current = tokens;
      let x = tf.tidy(() => model.embedDecoder(tf.tensor2d(current, [b, 1], 'int32'), t));
      let previous = policy ? ((await x.data()) as Float32Array) : new Float32Array(0);
      const exit = new Int32Array(b).fill(layers - 1);
      const exited = new Uint8Array(b);
      for (let l = 0; l < layers; l++) {
        const input = x;
        const frozen = Float32Array.from(exited);
        const output = tf.tidy(() => {
          const step = model.decoderLayer(l, input, cross[l]!, mask, caches[l]);
          replaceCache(caches, l, step);
          const keepOld = tf.reshape(tf.tensor1d(frozen), [b, 1, 1]);
          return tf.add(tf.mul(keepOld, input), tf.mul(tf.sub(1, keepOld), step.output));
        });
        input.dispose();
        x = output;
        if (l === layers - 1 || !policy) continue;
        const hidden = (await output.data()) as Float32Array;
        const { leaving } = similarityDecision(policy, l, cosineRows(hidden, previous, d));
        for (let i = 0; i < b; i++) {
          if (!exited[i] && leaving[i]) {
            exited[i] = 1;
            exit[i] = l;
          }
        }
        previous = hidden;
      }
      const state = x;
      const logitsTensor = tf.tidy(() => tf.reshape(model.head(state), [b, vocab]));
      x.dispose();
      const logits = (await logitsTensor.data()) as Float32Array;
      logitsTensor.dispose();
      const next = argmaxRows(logits, vocab);
      for (let i = 0; i < b; i++) {
        if (finished[i]) continue;
        const row = from + i;
        if (t === 0) out.firstLogits.set(logits.subarray(i * vocab, (i + 1) * vocab), row * vocab);
        out.tokens[row * options.steps + t] = next[i]!;
        out.exits[row * options.steps + t] = exit[i]!;
        out.macs[row]! += stepMacs(model, exit[i]!, t + 1, policy !== undefined);
        deepest[i] = Math.max(deepest[i]!, exit[i]!);
        if (options.eos !== undefined && next[i] === options.eos) finished[i] = 1;
      }
      tokens = next;
      if (finished.every((f) => f === 1)) break;
    }
    for (let i = 0; i < b; i++) {
      const row = from + i;
      const copied = copiedStateCount(out.exits.subarray(row * options.steps, (row + 1) * options.steps));
      out.macs[row]! += (deepest[i]! + 1) * model.macs.memoryKeysValues(model.memoryLength) + copied * model.macs.copiedKeysValues;
    }
  } finally {
    disposeCaches(cross, caches);
    states.dispose();
    mask.dispose();
  }
}

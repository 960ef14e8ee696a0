import type { TwoStreamModel } from '@offramp/backbones';
import { argmaxRows, cosineRows } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { type DecodeOptions, type DecodeResult, policyAt } from './decode-options.js';
import { type DecoderCache, disposeCaches, flushCopied, replaceCache } from './decoder-cache.js';
import { type HostMemory, memoryTensors } from './memory.js';
import { similarityDecision } from './similarity-decision.js';
import { stepMacs } from './step-macs.js';

/** Real early exit for one sample (row `row` of the memory): the layers after each step's exit are not run. */
export async function decodeOne(model: TwoStreamModel, memory: HostMemory, row: number, options: DecodeOptions, out: DecodeResult): Promise<void> {
  const layers = model.options.decoderLayers;
  const vocab = model.options.vocabSize;
  const { states, mask } = memoryTensors(model, memory, row, row + 1);
  const cross: (DecoderCache | undefined)[] = new Array(layers).fill(undefined);
  const caches: (DecoderCache | undefined)[] = new Array(layers).fill(undefined);
  // per layer: exited states of earlier steps that skipped it, waiting for a later step to run it
  const pending: tf.Tensor[][] = Array.from({ length: layers }, () => []);
  let macs = 0;
  let token = options.bos;
  try {
    for (let t = 0; t < options.steps; t++) {
      const policy = policyAt(options, t);
      let x = tf.tidy(() => model.embedDecoder(tf.tensor2d([[token]], [1, 1], 'int32'), t));
      let previous = policy ? ((await x.data()) as Float32Array) : new Float32Array(0);
      let exit = layers - 1;
      for (let l = 0; l < layers; l++) {
        if (!cross[l]) {
          cross[l] = tf.tidy(() => model.memoryKeysValues(l, states));
          macs += model.macs.memoryKeysValues(model.memoryLength);
        }
        if (pending[l]!.length > 0) {
          macs += pending[l]!.length * model.macs.copiedKeysValues;
          flushCopied(model, caches, pending, l);
        }
        const input = x;
        const output = tf.tidy(() => {
          const step = model.decoderLayer(l, input, cross[l]!, mask, caches[l]);
          replaceCache(caches, l, step);
          return step.output;
        });
        input.dispose();
        x = output;
        if (l === layers - 1 || !policy) continue;
        const hidden = (await output.data()) as Float32Array;
        if (similarityDecision(policy, l, cosineRows(hidden, previous, hidden.length)).leaving[0]) {
          exit = l;
          break;
        }
        previous = hidden;
      }
      for (let l = exit + 1; l < layers; l++) pending[l]!.push(tf.clone(x));
      const state = x;
      const logitsTensor = tf.tidy(() => tf.reshape(model.head(state), [vocab]));
      x.dispose();
      const logits = (await logitsTensor.data()) as Float32Array;
      logitsTensor.dispose();
      if (t === 0) out.firstLogits.set(logits, row * vocab);
      token = argmaxRows(logits, vocab)[0]!;
      out.tokens[row * options.steps + t] = token;
      out.exits[row * options.steps + t] = exit;
      macs += stepMacs(model, exit, t + 1, policy !== undefined);
      if (options.eos !== undefined && token === options.eos) break;
    }
  } finally {
    disposeCaches(cross, caches);
    for (const waiting of pending) tf.dispose(waiting);
    states.dispose();
    mask.dispose();
  }
  out.macs[row] = macs;
}

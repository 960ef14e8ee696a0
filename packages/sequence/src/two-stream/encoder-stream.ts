import type { TwoStreamModel } from '@offramp/backbones';
import { cosineRows, type ExitPolicy, takeRows } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { checkPolicyLayers, checkSimilarityPolicy } from '../policy-checks.js';
import { similarityDecision } from './similarity-decision.js';
import {
  checkStreamInput,
  embeddingMacs,
  embedRows,
  maskedHost,
  type StreamInput,
  type StreamOutput,
  streamLength,
} from './stream-input.js';

/**
 * Real early exit of one encoder stream with batch compaction: layer by layer, the policy's gate scores the cosine
 * between each sample's new and previous states (flattened over its real positions) and the samples it lets out
 * (core's `decideRows`) leave with that layer's states; only the rest run the next layer. `policy`: a similarity
 * policy made for the encoder's layers (e.g. `encoderStreamPolicy`); null runs the plain stream, every layer and
 * no similarity computed (its MACs and time have no checks).
 */
export async function runEncoderStream(model: TwoStreamModel, input: StreamInput, policy: ExitPolicy | null): Promise<StreamOutput> {
  checkStreamInput(model, input);
  const layers = model.options.encoderLayers;
  if (policy) {
    checkPolicyLayers(policy, layers, 'encoder layer');
    checkSimilarityPolicy(policy);
  }
  const n = input.n;
  const length = streamLength(model, input.stream);
  const size = length * model.options.dModel;
  const states = new Float32Array(n * size);
  const exit = new Int32Array(n);
  const macs = new Float64Array(n).fill(embeddingMacs(model, input.stream));
  const layerMacs = model.macs.encoderLayer(length);
  const checkMacs = model.macs.similarity(size);

  let rows = Int32Array.from({ length: n }, (_, i) => i);
  let { x, real } = embedRows(model, input, 0, n);
  let previous = policy ? await maskedHost(x, real) : new Float32Array(0);
  try {
    for (let l = 0; l < layers; l++) {
      const h = tf.tidy(() => model.encoderLayer(l, x, real));
      x.dispose();
      x = h;
      const count = rows.length;
      if (!policy && l < layers - 1) continue;
      const hidden = await maskedHost(h, real);
      let leaving: Uint8Array;
      if (l === layers - 1 || !policy) {
        leaving = new Uint8Array(count).fill(1);
        if (!policy) for (const row of rows) macs[row]! += l * layerMacs;
      } else {
        leaving = similarityDecision(policy, l, cosineRows(hidden, previous, size)).leaving;
      }
      const stay: number[] = [];
      for (let i = 0; i < count; i++) {
        const row = rows[i]!;
        macs[row]! += layerMacs + (l < layers - 1 ? checkMacs : 0);
        if (!leaving[i]) {
          stay.push(i);
          continue;
        }
        exit[row] = l;
        states.set(hidden.subarray(i * size, (i + 1) * size), row * size);
      }
      if (stay.length === 0) break;
      if (stay.length < count) {
        const keep = Int32Array.from(stay);
        const kept = tf.tidy(() => {
          const index = tf.tensor1d(keep, 'int32');
          return { x: tf.gather(x, index), real: real ? tf.gather(real, index) : undefined };
        });
        x.dispose();
        real?.dispose();
        ({ x, real } = kept);
        rows = Int32Array.from(stay, (i) => rows[i]!);
        previous = takeRows(hidden, size, keep);
      } else {
        previous = hidden;
      }
    }
  } finally {
    x.dispose();
    real?.dispose();
  }
  return { n, length, states, exit, macs };
}

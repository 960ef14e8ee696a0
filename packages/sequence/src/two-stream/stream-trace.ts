import type { TwoStreamModel } from '@offramp/backbones';
import { cosineRows, type ExitPolicy, exitsFromScores } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { checkPolicyLayers, checkSimilarityPolicy } from '../policy-checks.js';
import { similarityDecision } from './similarity-decision.js';
import { checkStreamInput, embeddingMacs, embedRows, maskedHost, type StreamInput, type StreamKind, type StreamOutput, streamLength } from './stream-input.js';

/** Every encoder layer's states and cosines for n samples (no exit). */
export interface StreamTrace {
  readonly n: number;
  readonly length: number;
  /** Per layer: n x length x d states (padding positions zeroed). */
  readonly states: readonly Float32Array[];
  /** Per layer: cos(h_l, h_{l-1}) per sample over its flattened real positions (h_{-1} = the embedding). */
  readonly cosines: readonly Float32Array[];
}

/** Runs every encoder layer of one stream over n samples in batches and keeps each layer's states and cosines. */
export async function traceEncoderStream(model: TwoStreamModel, input: StreamInput, batchSize = 256): Promise<StreamTrace> {
  checkStreamInput(model, input);
  const layers = model.options.encoderLayers;
  const n = input.n;
  const length = streamLength(model, input.stream);
  const size = length * model.options.dModel;
  const states = Array.from({ length: layers }, () => new Float32Array(n * size));
  const cosines = Array.from({ length: layers }, () => new Float32Array(n));
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    let { x, real } = embedRows(model, input, from, to);
    try {
      let previous = await maskedHost(x, real);
      for (let l = 0; l < layers; l++) {
        const h = tf.tidy(() => model.encoderLayer(l, x, real));
        x.dispose();
        x = h;
        const hidden = await maskedHost(h, real);
        states[l]!.set(hidden, from * size);
        cosines[l]!.set(cosineRows(hidden, previous, size), from);
        previous = hidden;
      }
    } finally {
      x.dispose();
      real?.dispose();
    }
  }
  return { n, length, states, cosines };
}

/**
 * Each sample's exit layer under a policy, from a trace: the first layer whose score (the policy's gate on the
 * trace's cosines, core's `decideRows`) reaches its threshold, as `runEncoderStream` takes it; the last layer for
 * every sample with no policy.
 */
export function streamExitsFromTrace(trace: StreamTrace, policy: ExitPolicy | null): Int32Array {
  const layers = trace.cosines.length;
  if (!policy) return new Int32Array(trace.n).fill(layers - 1);
  checkPolicyLayers(policy, layers, 'encoder layer of the trace');
  checkSimilarityPolicy(policy);
  const scores = trace.cosines.slice(0, layers - 1).map((cosines, l) => similarityDecision(policy, l, cosines).scores);
  return exitsFromScores(scores, policy.thresholds, trace.n);
}

/**
 * The stream output a trace gives for chosen exits: each sample's states at its exit layer, and its MACs as the
 * real runner counts them with a policy (`checks: false`: as the plain stream counts them, with no similarity
 * checks).
 */
export function streamOutputFromTrace(model: TwoStreamModel, trace: StreamTrace, exit: Int32Array, stream: StreamKind, checks = true): StreamOutput {
  const layers = model.options.encoderLayers;
  const size = trace.length * model.options.dModel;
  const states = new Float32Array(trace.n * size);
  const macs = new Float64Array(trace.n);
  const base = embeddingMacs(model, stream);
  const layerMacs = model.macs.encoderLayer(trace.length);
  const checkMacs = checks ? model.macs.similarity(size) : 0;
  for (let i = 0; i < trace.n; i++) {
    const l = exit[i]!;
    states.set(trace.states[l]!.subarray(i * size, (i + 1) * size), i * size);
    macs[i] = base + (l + 1) * layerMacs + Math.min(l + 1, layers - 1) * checkMacs;
  }
  return { n: trace.n, length: trace.length, states, exit: Int32Array.from(exit), macs };
}

/**
 * Trace evaluation of one encoder stream: what `runEncoderStream` gives under `policy` (the same exits, states
 * and MACs), from a trace; null: the plain stream (every layer, no checks).
 */
export function evaluateStreamTrace(model: TwoStreamModel, trace: StreamTrace, stream: StreamKind, policy: ExitPolicy | null): StreamOutput {
  return streamOutputFromTrace(model, trace, streamExitsFromTrace(trace, policy), stream, policy !== null);
}

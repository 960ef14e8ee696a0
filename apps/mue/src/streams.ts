import type { TwoStreamModel } from '@offramp/backbones';
import type { ExitPolicy, Gate } from '@offramp/core';
import type { VisionLanguageSet } from '@offramp/data';
import {
  encoderStreamPolicy,
  evaluateStreamTrace,
  runEncoderStream,
  type StreamInput,
  type StreamOutput,
  type StreamTrace,
  traceEncoderStream,
} from '@offramp/sequence';
import type { Thresholds } from './options.js';

/** The two encoder-stream inputs of a task set. */
export function streamInputs(set: VisionLanguageSet): { image: StreamInput; text: StreamInput } {
  return {
    image: { stream: 'image', n: set.n, pixels: set.images },
    text: { stream: 'text', n: set.n, tokens: set.text },
  };
}

/** 0/1 flags of the real text tokens of a set. */
export function textReal(set: VisionLanguageSet): Float32Array {
  return Float32Array.from(set.text, (t) => (t === 0 ? 0 : 1));
}

export interface SetTraces {
  readonly image: StreamTrace;
  readonly text: StreamTrace;
}

export async function traceStreams(model: TwoStreamModel, set: VisionLanguageSet): Promise<SetTraces> {
  const inputs = streamInputs(set);
  return { image: await traceEncoderStream(model, inputs.image), text: await traceEncoderStream(model, inputs.text) };
}

/** The exit policy of each encoder stream; null: the plain stream (every layer, no similarity computed). */
export interface StreamPolicies {
  readonly image: ExitPolicy | null;
  readonly text: ExitPolicy | null;
}

/** The stream policies of MuE's thresholds (a threshold above 1 never exits), or the plain streams for none. */
export function streamPolicies(model: TwoStreamModel, gate: Gate, thresholds: Thresholds | null): StreamPolicies {
  if (!thresholds) return { image: null, text: null };
  return {
    image: encoderStreamPolicy(model, 'image', gate, thresholds.image),
    text: encoderStreamPolicy(model, 'text', gate, thresholds.text),
  };
}

/** Both streams' outputs under their policies, from the traces (the exits, states and MACs real exit gives). */
export function streamsFromTraces(model: TwoStreamModel, traces: SetTraces, policies: StreamPolicies): { image: StreamOutput; text: StreamOutput } {
  return {
    image: evaluateStreamTrace(model, traces.image, 'image', policies.image),
    text: evaluateStreamTrace(model, traces.text, 'text', policies.text),
  };
}

/** Real early exit of both streams of one sample range (for the timings). */
export async function runStreams(
  model: TwoStreamModel,
  input: { image: StreamInput; text: StreamInput },
  policies: StreamPolicies,
): Promise<{ image: StreamOutput; text: StreamOutput }> {
  return {
    image: await runEncoderStream(model, input.image, policies.image),
    text: await runEncoderStream(model, input.text, policies.text),
  };
}

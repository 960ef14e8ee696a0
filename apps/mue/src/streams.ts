import {
  runEncoderStream,
  type StreamInput,
  type StreamOutput,
  type StreamTrace,
  streamOutputFromTrace,
  traceEncoderStream,
  type TwoStreamModel,
} from '@offramp/backbones';
import { exitsFromScores, type Gate } from '@offramp/core';
import type { VisionLanguageSet } from '@offramp/data';

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

/** Each sample's exit layer in a stream under `threshold` (the gate scoring the trace's cosines), as real exit gives it. */
export function streamExits(trace: StreamTrace, gate: Gate | null, threshold: number, layers: number): Int32Array {
  if (!gate) return new Int32Array(trace.n).fill(layers - 1);
  const scores = trace.cosines.slice(0, layers - 1).map((cosines, l) =>
    gate.score({
      exit: l,
      exits: layers,
      batch: trace.n,
      classes: 0,
      logits: new Float32Array(0),
      probs: new Float32Array(0),
      cost: (l + 1) / layers,
      similarity: cosines,
    }),
  );
  return exitsFromScores(scores, new Float64Array(layers - 1).fill(threshold), trace.n);
}

/** A stream's output for a threshold, from its trace (no gate: every layer, no checks). */
export function streamFromTrace(
  model: TwoStreamModel,
  trace: StreamTrace,
  stream: StreamInput['stream'],
  gate: Gate | null,
  threshold: number,
): StreamOutput {
  const layers = model.options.encoderLayers;
  const out = streamOutputFromTrace(model, trace, streamExits(trace, gate, threshold, layers), stream);
  if (gate) return out;
  // the plain model makes no similarity checks
  const checks = (layers - 1) * model.macs.similarity(trace.length * model.options.dModel);
  return { ...out, macs: out.macs.map((m) => m - checks) };
}

/** Real early exit of both streams of one sample range (for the timings). */
export async function runStreams(
  model: TwoStreamModel,
  input: { image: StreamInput; text: StreamInput },
  gate: Gate | null,
  thresholds: { image: number; text: number },
): Promise<{ image: StreamOutput; text: StreamOutput }> {
  return {
    image: await runEncoderStream(model, input.image, gate, thresholds.image),
    text: await runEncoderStream(model, input.text, gate, thresholds.text),
  };
}

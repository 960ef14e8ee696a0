import type { TwoStreamModel } from '@offramp/backbones';
import type { Gate } from '@offramp/core';
import { VL_BOS, VL_EOS, type VisionLanguageSet } from '@offramp/data';
import { decoderThresholdSchedule } from '@offramp/gates';
import {
  buildMemory,
  type DecodeOptions,
  type DecodeResult,
  decodeWithExits,
  decoderPolicy,
  decoderStepPolicies,
  type HostMemory,
} from '@offramp/sequence';
import type { Thresholds } from './options.js';
import { captionScores, entailmentAccuracy } from './score.js';
import { type SetTraces, streamPolicies, streamsFromTraces, textReal } from './streams.js';

/** An exit policy: MuE's three thresholds, or null for the plain model (no exit, no similarity computed). */
export type Policy = Thresholds | null;

/** How a policy does on a task set. */
export interface PolicyResult {
  /** Entailment accuracy, or caption token accuracy. */
  readonly score: number;
  /** Captions only: share of captions identical to the reference. */
  readonly exact?: number;
  /** Mean MACs per sample of each part and in all. */
  readonly macs: { readonly image: number; readonly text: number; readonly decoder: number; readonly total: number };
  readonly imageExits: Int32Array;
  readonly textExits: Int32Array;
  /** The decoder layer of every decoded step of every sample. */
  readonly decoderExits: Int32Array;
  /** The decoder layers of each sample's decoded steps. */
  readonly decoderExitsPerSample: Int32Array[];
}

/**
 * Decoding settings of a task: entailment answers in one step with a fixed threshold; captions use MuE's schedule,
 * one exit policy per step.
 */
export function decodeSettings(model: TwoStreamModel, set: VisionLanguageSet, gate: Gate, policy: Policy): DecodeOptions {
  const steps = set.steps;
  const base = set.task === 'caption' ? { steps, bos: VL_BOS, eos: VL_EOS } : { steps, bos: VL_BOS };
  if (!policy) return base;
  const exits =
    set.task === 'caption'
      ? decoderStepPolicies(model, gate, decoderThresholdSchedule(policy.decoder, steps))
      : decoderPolicy(model, gate, policy.decoder);
  return { ...base, policy: exits };
}

const mean = (values: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
};

/** The memory of a set under a policy's stream thresholds, from the stream traces. */
export function memoryFor(model: TwoStreamModel, set: VisionLanguageSet, traces: SetTraces, gate: Gate, policy: Policy) {
  const { image, text } = streamsFromTraces(model, traces, streamPolicies(model, gate, policy));
  return { image, text, memory: buildMemory(model, image, text, textReal(set)) };
}

/** Scores a decoded set. */
export function scoreDecoded(model: TwoStreamModel, set: VisionLanguageSet, decoded: DecodeResult): { score: number; exact?: number } {
  if (set.task === 'entailment') return { score: entailmentAccuracy(set, decoded.firstLogits, model.options.vocabSize) };
  const { tokenAccuracy, exact } = captionScores(set, decoded.tokens, decoded.steps);
  return { score: tokenAccuracy, exact };
}

/**
 * Evaluates a policy on a whole set: the streams from their traces (exactly what real exit gives), the decoder
 * batched with its exits applied by masking (the same tokens, exits and MACs as real exit).
 */
export async function evaluatePolicy(
  model: TwoStreamModel,
  set: VisionLanguageSet,
  traces: SetTraces,
  gate: Gate,
  policy: Policy,
  memory?: { image: { exit: Int32Array; macs: Float64Array }; text: { exit: Int32Array; macs: Float64Array }; memory: HostMemory },
): Promise<PolicyResult> {
  const m = memory ?? memoryFor(model, set, traces, gate, policy);
  const decoded = await decodeWithExits(model, m.memory, { ...decodeSettings(model, set, gate, policy), mode: 'masked' });
  const image = mean(m.image.macs);
  const text = mean(m.text.macs);
  const decoder = mean(decoded.macs);
  return {
    ...scoreDecoded(model, set, decoded),
    macs: { image, text, decoder, total: image + text + decoder },
    imageExits: m.image.exit,
    textExits: m.text.exit,
    decoderExits: Int32Array.from(decoded.exits.filter((e) => e >= 0)),
    decoderExitsPerSample: Array.from({ length: set.n }, (_, i) =>
      Int32Array.from(decoded.exits.subarray(i * decoded.steps, (i + 1) * decoded.steps).filter((e) => e >= 0)),
    ),
  };
}

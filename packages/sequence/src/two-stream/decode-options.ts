import type { TwoStreamModel } from '@offramp/backbones';
import { ArgumentError, CountMismatchError, type ExitPolicy } from '@offramp/core';
import { checkPolicyLayers, checkSimilarityPolicy } from '../policy-checks.js';

export interface DecodeOptions {
  /** Decoding steps at most (<= the model's steps). */
  readonly steps: number;
  /** Token that starts every sequence. */
  readonly bos: number;
  /** Token that ends a sequence (decoding of that sample stops after it); none when omitted. */
  readonly eos?: number;
  /**
   * The exit rule: a similarity policy made for the decoder's layers (`decoderPolicy`), or one per step
   * (`decoderStepPolicies`). Without one every step runs every layer and no similarity is computed (the plain
   * model).
   */
  readonly policy?: ExitPolicy | readonly ExitPolicy[];
  /**
   * 'real': one sample at a time, layers after the exit are really skipped (the copied state's keys and values of
   * a skipped layer are computed when a later step first runs that layer, all pending positions at once).
   * 'masked': the whole batch runs every layer and the exits are applied by masking, which gives the same
   * tokens, exits and MACs without the saving (for threshold search). Default 'real'.
   */
  readonly mode?: 'real' | 'masked';
  /** Samples per batch in 'masked' mode. Default 256. */
  readonly batchSize?: number;
}

export interface DecodeResult {
  readonly n: number;
  readonly steps: number;
  /** n x steps greedy tokens (the eos token included; -1 after it). */
  readonly tokens: Int32Array;
  /** n x steps decoder layer (0-based) of each step's exit; -1 after the end. */
  readonly exits: Int32Array;
  /** n x vocab logits of the first step (the answer of a one-step task). */
  readonly firstLogits: Float32Array;
  /** MACs per sample of the decoder: memory keys and values, layers, similarity checks, copied states, head. */
  readonly macs: Float64Array;
}

function isPolicyList(policy: ExitPolicy | readonly ExitPolicy[]): policy is readonly ExitPolicy[] {
  return Array.isArray(policy);
}

/** The policy of step t (none: the plain model). */
export function policyAt(options: DecodeOptions, t: number): ExitPolicy | undefined {
  const { policy } = options;
  if (!policy) return undefined;
  return isPolicyList(policy) ? policy[t] : policy;
}

export function checkDecodeOptions(model: TwoStreamModel, options: DecodeOptions): void {
  if (!Number.isInteger(options.steps) || options.steps < 1 || options.steps > model.options.steps) {
    throw new ArgumentError({
      field: 'steps',
      expected: `a whole number in [1, ${model.options.steps}]`,
      received: String(options.steps),
    });
  }
  const { policy } = options;
  if (!policy) return;
  if (isPolicyList(policy) && policy.length < options.steps) {
    throw new CountMismatchError({
      field: 'policy',
      expected: `one policy, or at least ${options.steps} (one per step)`,
      received: `${policy.length} policies`,
    });
  }
  const list = isPolicyList(policy) ? policy.slice(0, options.steps) : [policy];
  list.forEach((p, t) => {
    const field = isPolicyList(policy) ? `policy[${t}]` : 'policy';
    checkPolicyLayers(p, model.options.decoderLayers, 'decoder layer', field);
    checkSimilarityPolicy(p, field);
  });
}

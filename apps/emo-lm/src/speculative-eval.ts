import type { TransformerLm } from '@offramp/backbones';
import { createRng, type ExitPolicy } from '@offramp/core';
import { type DecodeRun, decodeFull, decodeSelfSpeculative } from '@offramp/sequence';
import { continuePrompt } from './sampling.js';
import type { Windows } from './windows.js';

export interface SpeculativeSettings {
  /** Held-out prompts decoded greedily. */
  readonly prompts: number;
  readonly promptLength: number;
  /** Tokens generated per prompt. */
  readonly steps: number;
  /** (d, k) pairs: layers that draft, most tokens drafted per verification. */
  readonly points: readonly (readonly [number, number])[];
}

/** One way of decoding, over every prompt: its speed and, for drafts, how they fared. */
export interface DecodingSpeed {
  readonly method: string;
  readonly tokensPerSecond: number;
  /** Tokens per second over the full model's, in the same run. */
  readonly speedup: number;
  /** Drafted tokens the full model kept (self-speculative only). */
  readonly acceptance?: number;
  /** Generated tokens per pass of the upper layers (self-speculative only). */
  readonly tokensPerVerification?: number;
  /** Prompts whose greedy output is the full model's, token for token. */
  readonly identical: number;
}

export interface SpeculativeResult {
  readonly prompts: number;
  readonly steps: number;
  readonly methods: readonly DecodingSpeed[];
}

interface Method {
  readonly name: string;
  readonly run: (prompt: Int32Array) => Promise<DecodeRun>;
}

/**
 * Greedy decoding of held-out prompts (tokens per second of the generation, after the prompt) by the full model, token-level early exit (when a policy is given) and
 * self-speculative decoding at each (d, k), interleaved prompt by prompt with a rotating order so every method
 * sees the same machine load. Each output is compared with the full model's.
 */
export async function evaluateSpeculative(
  lm: TransformerLm,
  prompts: Windows,
  settings: SpeculativeSettings,
  earlyExit?: ExitPolicy,
): Promise<SpeculativeResult> {
  const { steps, promptLength } = settings;
  const methods: Method[] = [
    { name: 'full model', run: (p) => decodeFull(lm, p, steps) },
    ...(earlyExit
      ? [
          {
            name: 'token-level early exit',
            run: async (p: Int32Array): Promise<DecodeRun> => {
              const { tokens, seconds } = await continuePrompt(lm, p, steps, { topK: 1, rng: createRng(0), policy: earlyExit });
              return { tokens, drafted: 0, accepted: 0, verifications: steps, seconds };
            },
          },
        ]
      : []),
    ...settings.points.map(([d, k]) => ({
      name: `self-speculative d=${d} k=${k}`,
      run: (p: Int32Array) => decodeSelfSpeculative(lm, p, steps, { draftLayers: d, draftTokens: k }),
    })),
  ];
  const seconds = methods.map(() => 0);
  const identical = methods.map(() => 0);
  const drafted = methods.map(() => 0);
  const accepted = methods.map(() => 0);
  const verifications = methods.map(() => 0);
  const count = Math.min(settings.prompts, prompts.count);
  for (let i = 0; i < count; i++) {
    const prompt = prompts.tokens.subarray(i * prompts.length, i * prompts.length + promptLength);
    const outputs: Int32Array[] = [];
    for (let j = 0; j < methods.length; j++) {
      const m = (i + j) % methods.length;
      const run = await methods[m]!.run(prompt);
      // Generation only: every method feeds the prompt before its clock starts.
      seconds[m]! += run.seconds;
      outputs[m] = run.tokens;
      drafted[m]! += run.drafted;
      accepted[m]! += run.accepted;
      verifications[m]! += run.verifications;
    }
    outputs.forEach((tokens, m) => {
      if (tokens.every((t, k) => t === outputs[0]![k])) identical[m]! += 1;
    });
  }
  const fullRate = (count * steps) / seconds[0]!;
  return {
    prompts: count,
    steps,
    methods: methods.map((m, j) => {
      const rate = (count * steps) / seconds[j]!;
      const speculative = drafted[j]! > 0;
      return {
        method: m.name,
        tokensPerSecond: rate,
        speedup: rate / fullRate,
        ...(speculative ? { acceptance: accepted[j]! / drafted[j]!, tokensPerVerification: (count * steps) / verifications[j]! } : {}),
        identical: identical[j]!,
      };
    }),
  };
}

import type { TransformerLm } from '@offramp/backbones';
import { createRng, type ExitPolicy } from '@offramp/core';
import {
  type DecodeRun,
  decodeFull,
  decodeFullBatch,
  decodeSelfSpeculative,
  decodeSelfSpeculativeBatch,
  type LmRuntime,
} from '@offramp/sequence';
import { continuePrompt } from './sampling.js';
import type { Windows } from './windows.js';

export interface SpeculativeSettings {
  /** Held-out prompts decoded greedily. */
  readonly prompts: number;
  readonly promptLength: number;
  /** Tokens generated per prompt. */
  readonly steps: number;
  /**
   * (d, k) or (d, k, c): layers that draft, most tokens drafted per verification, and the draft confidence below
   * which drafting stops early (Kangaroo's stop; 0 when left out).
   */
  readonly points: readonly (readonly [number, number] | readonly [number, number, number])[];
  /** Prompts decoded together in the batched measurement (the prompts are split into batches of this size). */
  readonly batchSize: number;
}

/** One way of decoding, over every prompt: its speed and, for drafts, how they fared. */
export interface DecodingSpeed {
  readonly method: string;
  readonly runtime: 'tfjs' | 'onnxruntime';
  /** Prompts decoded together. */
  readonly batch: number;
  /** Self-speculative decoding's d, k and draft confidence c. */
  readonly draft?: { readonly d: number; readonly k: number; readonly c: number };
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
  /** With an onnxruntime model: its full model's greedy outputs equal to the tfjs model's, of `prompts`. */
  readonly onnxFullMatchesTfjs?: number;
}

/** A point's name in the tables, e.g. `d=2 k=4` or `d=2 k=4 c=0.3`. */
const pointName = ([d, k, c = 0]: SpeculativeSettings['points'][number]) => `d=${d} k=${k}${c > 0 ? ` c=${c}` : ''}`;
const pointOptions = ([d, k, c = 0]: SpeculativeSettings['points'][number]) => ({ draftLayers: d, draftTokens: k, draftConfidence: c });
const draftOf = ([d, k, c = 0]: SpeculativeSettings['points'][number]) => ({ d, k, c });

/** Plain and self-speculative decoding of single prompts on one runtime (the tfjs model or onnxruntime). */
function singleMethods(lm: TransformerLm | LmRuntime, runtime: Method['runtime'], settings: SpeculativeSettings): Method[] {
  const { steps } = settings;
  const label = runtime === 'tfjs' ? '' : `${runtime}: `;
  return [
    { name: `${label}full model`, runtime, batch: 1, run: one((p) => decodeFull(lm, p, steps)) },
    ...settings.points.map((point) => ({
      name: `${label}self-speculative ${pointName(point)}`,
      runtime,
      batch: 1,
      draft: draftOf(point),
      run: one((p) => decodeSelfSpeculative(lm, p, steps, pointOptions(point))),
    })),
  ];
}

interface Method {
  readonly name: string;
  readonly runtime: DecodingSpeed['runtime'];
  readonly batch: number;
  readonly draft?: DecodingSpeed['draft'];
  /** Decodes a group of prompts (one prompt, or one batch), returning a run per prompt. */
  readonly run: (prompts: Int32Array[]) => Promise<DecodeRun[]>;
}

const one = (run: (prompt: Int32Array) => Promise<DecodeRun>) => async (prompts: Int32Array[]) => [await run(prompts[0]!)];

/** Plain and self-speculative decoding of batches of `batchSize` prompts on one runtime. */
function batchedMethods(lm: TransformerLm | LmRuntime, runtime: Method['runtime'], settings: SpeculativeSettings): Method[] {
  const { steps, batchSize: b } = settings;
  const label = runtime === 'tfjs' ? '' : `${runtime}: `;
  return [
    { name: `${label}full model, batch ${b}`, runtime, batch: b, run: (ps) => decodeFullBatch(lm, ps, steps) },
    ...settings.points.map((point) => ({
      name: `${label}self-speculative ${pointName(point)}, batch ${b}`,
      runtime,
      batch: b,
      draft: draftOf(point),
      run: (ps: Int32Array[]) => decodeSelfSpeculativeBatch(lm, ps, steps, pointOptions(point)),
    })),
  ];
}

/**
 * Greedy decoding of held-out prompts (tokens per second of the generation, after the prompt): one prompt at a time
 * by the full model, token-level early exit (when a policy is given) and self-speculative decoding at each point;
 * then in batches of `batchSize` by the full model and self-speculative decoding; then the same two groups on
 * onnxruntime when the model is given there. Methods are interleaved group by
 * group with a rotating order so every method sees the same machine load; every output is compared with its
 * runtime's full model, one prompt at a time.
 */
export async function evaluateSpeculative(
  lm: TransformerLm,
  prompts: Windows,
  settings: SpeculativeSettings,
  earlyExit?: ExitPolicy,
  onnx?: LmRuntime,
): Promise<SpeculativeResult> {
  const { steps, promptLength } = settings;
  const [full, ...speculative] = singleMethods(lm, 'tfjs', settings);
  const methods: Method[] = [
    full!,
    ...(earlyExit
      ? [
          {
            name: 'token-level early exit',
            runtime: 'tfjs' as const,
            batch: 1,
            run: one(async (p: Int32Array): Promise<DecodeRun> => {
              const { tokens, seconds } = await continuePrompt(lm, p, steps, { topK: 1, rng: createRng(0), policy: earlyExit });
              return { tokens, drafted: 0, accepted: 0, verifications: steps, seconds };
            }),
          },
        ]
      : []),
    ...speculative,
  ];
  const b = settings.batchSize;
  const count = Math.min(settings.prompts, prompts.count);
  const all = Array.from({ length: count }, (_, i) => prompts.tokens.slice(i * prompts.length, i * prompts.length + promptLength));
  const single = await measure(methods, all.map((p) => [p]), steps);
  const groups = Array.from({ length: Math.ceil(count / b) }, (_, g) => all.slice(g * b, (g + 1) * b));
  const batch = await measure(batchedMethods(lm, 'tfjs', settings), groups, steps, single.outputs[0]);
  if (!onnx) return { prompts: count, steps, methods: [...single.speeds, ...batch.speeds] };
  const onOnnx = await measure(singleMethods(onnx, 'onnxruntime', settings), all.map((p) => [p]), steps);
  const onnxBatch = await measure(batchedMethods(onnx, 'onnxruntime', settings), groups, steps, onOnnx.outputs[0]);
  const tfjsFull = single.outputs[0]!;
  const onnxFullMatchesTfjs = onOnnx.outputs[0]!.filter((tokens, i) => tokens.every((t, k) => t === tfjsFull[i]![k])).length;
  return { prompts: count, steps, methods: [...single.speeds, ...batch.speeds, ...onOnnx.speeds, ...onnxBatch.speeds], onnxFullMatchesTfjs };
}

/**
 * Runs every method on every group of prompts, interleaved group by group with a rotating order; tokens per second
 * of the generation (a batch's wall time counts once for its rows), speed-up over the first method, and outputs
 * compared with `reference` (default: the first method's).
 */
async function measure(
  methods: readonly Method[],
  groups: readonly Int32Array[][],
  steps: number,
  reference?: readonly Int32Array[],
): Promise<{ speeds: DecodingSpeed[]; outputs: Int32Array[][] }> {
  const seconds = methods.map(() => 0);
  const identical = methods.map(() => 0);
  const drafted = methods.map(() => 0);
  const accepted = methods.map(() => 0);
  const verifications = methods.map(() => 0);
  const outputs: Int32Array[][] = methods.map(() => []);
  let rows = 0;
  for (let g = 0; g < groups.length; g++) {
    for (let j = 0; j < methods.length; j++) {
      const m = (g + j) % methods.length;
      const runs = await methods[m]!.run(groups[g]!);
      // Generation only: every method feeds the prompt before its clock starts; a batch's rows share one clock.
      seconds[m]! += runs[0]!.seconds;
      for (const run of runs) {
        outputs[m]!.push(run.tokens);
        drafted[m]! += run.drafted;
        accepted[m]! += run.accepted;
        verifications[m]! += run.verifications;
      }
    }
    rows += groups[g]!.length;
  }
  const expected = reference ?? outputs[0]!;
  outputs.forEach((list, m) => {
    identical[m] = list.filter((tokens, i) => tokens.every((t, k) => t === expected[i]![k])).length;
  });
  const rate = (m: number) => (rows * steps) / seconds[m]!;
  return {
    outputs,
    speeds: methods.map((method, m) => ({
      method: method.name,
      runtime: method.runtime,
      batch: method.batch,
      ...(method.draft ? { draft: method.draft } : {}),
      tokensPerSecond: rate(m),
      speedup: rate(m) / rate(0),
      ...(drafted[m]! > 0 ? { acceptance: accepted[m]! / drafted[m]!, tokensPerVerification: (rows * steps) / verifications[m]! } : {}),
      identical: identical[m]!,
    })),
  };
}

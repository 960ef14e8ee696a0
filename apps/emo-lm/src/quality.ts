import { createRng } from '@offramp/core';
import type { TransformerLm } from '@offramp/backbones';
import { lmFeatures } from './features.js';
import { frechetDistance } from './frechet.js';
import { continuePrompt } from './sampling.js';
import { distinctN, repetitionRate } from './text-metrics.js';
import type { Windows } from './windows.js';

export interface TextQuality {
  readonly distinct1: number;
  readonly distinct2: number;
  readonly distinct3: number;
  /** rep-4 (share of repeated 4-grams within a continuation). */
  readonly repetition4: number;
  /** Frechet distance to the human continuations of the same prompts, in the base model's features. */
  readonly frechet: number;
}

export interface QualitySetting {
  readonly promptLength: number;
  readonly steps: number;
  readonly topK: number;
  readonly seed: number;
}

/** Each window split into its prompt and its continuation. */
function continuationsOf(windows: Windows, promptLength: number): Int32Array[] {
  return Array.from({ length: windows.count }, (_, w) =>
    windows.tokens.slice(w * windows.length + promptLength, (w + 1) * windows.length),
  );
}

function metrics(continuations: readonly Int32Array[], frechet: number): TextQuality {
  return {
    distinct1: distinctN(continuations, 1),
    distinct2: distinctN(continuations, 2),
    distinct3: distinctN(continuations, 3),
    repetition4: repetitionRate(continuations, 4),
    frechet,
  };
}

/** Prompts followed by sampled continuations, as windows of promptLength + steps tokens. */
export async function generateTexts(lm: TransformerLm, prompts: Windows, setting: QualitySetting): Promise<Windows> {
  const rng = createRng(setting.seed);
  const length = setting.promptLength + setting.steps;
  const tokens = new Int32Array(prompts.count * length);
  for (let w = 0; w < prompts.count; w++) {
    const prompt = prompts.tokens.subarray(w * prompts.length, w * prompts.length + setting.promptLength);
    const continuation = await continuePrompt(lm, prompt, setting.steps, { topK: setting.topK, rng });
    tokens.set(prompt, w * length);
    tokens.set(continuation.tokens, w * length + setting.promptLength);
  }
  return { tokens, count: prompts.count, length };
}

/**
 * Quality of continuations: distinct-n and rep-4 of the continuations, and the Frechet distance between the
 * features (from `featureModel`) of prompt + continuation and those of the human texts `human`.
 */
export async function textQuality(
  texts: Windows,
  human: Windows,
  featureModel: TransformerLm,
  promptLength: number,
): Promise<TextQuality> {
  const [a, b] = [await lmFeatures(featureModel, texts, promptLength), await lmFeatures(featureModel, human, promptLength)];
  return metrics(continuationsOf(texts, promptLength), frechetDistance(a, b, featureModel.dModel));
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@offramp/core/node';
import * as tf from '@tensorflow/tfjs';
import { createTransformerLm, type TransformerLm } from '@offramp/backbones';
import { checkpointExists, loadVariables, saveVariables } from '@offramp/train';
import { settingsKey } from './checkpoint-key.js';
import { type LayerSkipOptions, NO_LAYER_SKIP } from './layer-skip.js';
import type { Objective } from './lm-loss.js';
import type { EmoLmOptions } from './options.js';
import { trainLm } from './train-lm.js';
import { type Corpus, loadCorpus } from './corpus.js';
import { cutWindows, sampleWindows, type Windows } from './windows.js';

export interface TrainedModel {
  readonly lm: TransformerLm;
  /** Mean training loss of each epoch (empty when loaded from the cache). */
  readonly losses: readonly number[];
  readonly cached: boolean;
  readonly seconds: number;
  /** Wall time of the training that made the weights (recorded next to the cached weights), when known. */
  readonly trainingSeconds?: number;
  /** Hash of the settings that produced the weights (names the cache file). */
  readonly key: string;
}

export function newModel(options: EmoLmOptions, vocabSize: number, name: string): TransformerLm {
  return createTransformerLm({ ...options.model, vocabSize, seed: options.seed, name });
}

/** The LayerSkip settings of pre-training: exit distillation is a fine-tuning option. */
function pretrainLayerSkip(options: EmoLmOptions): LayerSkipOptions {
  const { exitDistillation: _, ...rest } = options.layerSkip;
  return rest;
}

/** LayerSkip settings as part of a cache key, left out when they are the defaults (older keys stay valid). */
function layerSkipKey(l: LayerSkipOptions): { layerSkip?: LayerSkipOptions } {
  const isDefault = l.layerDropout === NO_LAYER_SKIP.layerDropout && l.exitWeights === NO_LAYER_SKIP.exitWeights && !l.exitDistillation;
  return isDefault ? {} : { layerSkip: l };
}

/** The training time recorded next to cached weights (`<file>.json`), if any. */
async function recordedSeconds(file: string): Promise<number | undefined> {
  try {
    const seconds = (JSON.parse(await readFile(`${file}.json`, 'utf8')) as { trainingSeconds?: unknown }).trainingSeconds;
    return typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Trains `lm` (from its current weights) unless weights for `key` are cached; saves them after training, with the
 * training time in `<file>.json`.
 */
async function trainOrLoad(
  lm: TransformerLm,
  file: string,
  train: () => Promise<readonly number[]>,
): Promise<Omit<TrainedModel, 'lm' | 'key'>> {
  const started = Date.now();
  if (await checkpointExists(file)) {
    await loadVariables(file, lm.variables);
    const trainingSeconds = await recordedSeconds(file);
    return { losses: [], cached: true, seconds: (Date.now() - started) / 1000, ...(trainingSeconds === undefined ? {} : { trainingSeconds }) };
  }
  const losses = await train();
  const seconds = (Date.now() - started) / 1000;
  await saveVariables(file, lm.variables);
  await writeFileAtomic(`${file}.json`, `${JSON.stringify({ trainingSeconds: seconds })}\n`);
  return { losses, cached: false, seconds, trainingSeconds: seconds };
}

/** The MLE-trained base model (cached by its settings). */
export async function baseModel(options: EmoLmOptions, vocabSize: number, windows: Windows, corpusKey: string): Promise<TrainedModel> {
  const lm = newModel(options, vocabSize, 'emo-lm/base');
  const key = settingsKey({ corpusKey, model: options.model, pretrain: options.pretrain, seed: options.seed, n: windows.count, ...layerSkipKey(pretrainLayerSkip(options)) });
  const result = await trainOrLoad(lm, join(options.cacheDir, `base-${key}.ckpt`), async () => {
    const fitted = await trainLm(lm, windows, {
      objective: { kind: 'mle' },
      layerSkip: pretrainLayerSkip(options),
      epochs: options.pretrain.epochs,
      batchSize: options.pretrain.batchSize,
      learningRate: options.pretrain.learningRate,
      seed: options.seed,
      progress: options.progress ? 'pretrain (MLE)' : false,
    });
    return fitted.losses;
  });
  return { lm, key, ...result };
}

/** A copy of the base model fine-tuned on `subset` with MLE or EMO (cached by its settings). */
export async function fineTunedModel(
  options: EmoLmOptions,
  base: TransformerLm,
  subset: Windows,
  kind: 'mle' | 'emo',
  costEmbedding: tf.Tensor2D,
  baseKey: string,
): Promise<TrainedModel> {
  const lm = newModel(options, base.vocabSize, `emo-lm/${kind}`);
  lm.variables.forEach((v, i) => {
    v.assign(base.variables[i]!);
  });
  const objective: Objective = kind === 'mle' ? { kind } : { kind, mode: options.finetune.mode, costEmbedding };
  // the MLE copy does not depend on how EMO is combined, so its weights are shared across modes
  const { mode, ...shared } = options.finetune;
  const key = settingsKey({ baseKey, finetune: kind === 'emo' ? { ...shared, mode } : shared, kind, n: subset.count, ...layerSkipKey(options.layerSkip) });
  const result = await trainOrLoad(lm, join(options.cacheDir, `finetune-${kind}-${key}.ckpt`), async () => {
    const fitted = await trainLm(lm, subset, {
      objective,
      layerSkip: options.layerSkip,
      epochs: options.finetune.epochs,
      batchSize: options.finetune.batchSize,
      learningRate: options.finetune.learningRate,
      seed: options.seed + 1,
      progress: options.progress ? `fine-tune (${kind.toUpperCase()})` : false,
    });
    return fitted.losses;
  });
  return { lm, key, ...result };
}

/** The corpus, the MLE base model and its MLE and EMO fine-tuned copies (each trained, or loaded from the cache). */
export interface TrainedModels {
  readonly corpus: Corpus;
  readonly base: TrainedModel;
  readonly mle: TrainedModel;
  readonly emo: TrainedModel;
  readonly trainWindows: Windows;
  readonly subset: Windows;
}

/** Corpus and tokenizer, MLE pre-training, then MLE and EMO fine-tuning on the same small subset. */
export async function trainModels(options: EmoLmOptions): Promise<TrainedModels> {
  const log = options.log;
  const corpus = await loadCorpus({ ...options.corpus, seed: options.seed, cacheDir: options.cacheDir });
  const vocabSize = corpus.tokenizer.vocabSize;
  log(
    `corpus: ${corpus.addresses.train}/${corpus.addresses.validation}/${corpus.addresses.test} addresses, ` +
      `${corpus.train.length}/${corpus.validation.length}/${corpus.test.length} tokens, vocabulary ${vocabSize}`,
  );
  const { context } = options.model;
  const trainWindows = sampleWindows(cutWindows(corpus.train, context + 1, context), options.pretrain.maxWindows, options.seed);
  const subset = sampleWindows(trainWindows, options.finetune.windows, options.seed + 1);

  const base = await baseModel(options, vocabSize, trainWindows, settingsKey({ ...options.corpus, seed: options.seed }));
  log(`base model: ${base.cached ? 'loaded from cache' : `trained in ${base.seconds.toFixed(0)} s`}`);
  const costEmbedding = tf.clone(base.lm.tokenEmbedding) as tf.Tensor2D;
  try {
    const mle = await fineTunedModel(options, base.lm, subset, 'mle', costEmbedding, base.key);
    const emo = await fineTunedModel(options, base.lm, subset, 'emo', costEmbedding, base.key);
    log(`fine-tuned on ${subset.count} windows: MLE ${mle.seconds.toFixed(0)} s, EMO ${emo.seconds.toFixed(0)} s`);
    return { corpus, base, mle, emo, trainWindows, subset };
  } finally {
    costEmbedding.dispose();
  }
}

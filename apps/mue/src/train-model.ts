import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createTwoStreamModel, type EncoderDepths, type TwoStreamModel } from '@offramp/backbones';
import { createRng } from '@offramp/core';
import { VL_IGNORE, VL_VOCABULARY, type VisionLanguageSet } from '@offramp/data';
import { layerwiseDecoderLoss } from '@offramp/losses';
import { checkpointExists, fit, loadVariables, saveVariables } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';
import type { MueOptions } from './options.js';
import { depthDistillationLoss } from './depth-distillation.js';
import { sampleEncoderDepths } from './encoder-depths.js';
import { CAPTION_STEPS } from './tasks.js';

type ModelSettings = Pick<MueOptions, 'dModel' | 'heads' | 'encoderLayers' | 'decoderLayers' | 'epochs' | 'encoderRecipe' | 'distillation' | 'batchSize' | 'learningRate' | 'seed' | 'train'>;

export function createMueModel(o: ModelSettings): TwoStreamModel {
  return createTwoStreamModel({
    vocabSize: VL_VOCABULARY.size,
    textLength: 6,
    steps: CAPTION_STEPS,
    dModel: o.dModel,
    heads: o.heads,
    encoderLayers: o.encoderLayers,
    decoderLayers: o.decoderLayers,
    seed: o.seed,
    name: 'mue',
  });
}

/** Checkpoint file of these settings (a different setting trains a new model). */
export function checkpointPath(cacheDir: string, o: ModelSettings): string {
  // the plain recipe keeps the key of the models trained before recipes existed
  const recipe: string[] = o.encoderRecipe === 'full' ? [] : [o.encoderRecipe];
  // likewise, no distillation keeps the key of the models trained before it existed
  if (o.distillation > 0) recipe.push(`distill-${o.distillation}`);
  const key = JSON.stringify(['pairs', 'linear-decay', ...recipe, o.dModel, o.heads, o.encoderLayers, o.decoderLayers, o.epochs, o.batchSize, o.learningRate, o.seed, o.train]);
  return join(cacheDir, `mue-${createHash('sha256').update(key).digest('hex').slice(0, 12)}.ckpt`);
}

interface Batch {
  readonly pixels: tf.Tensor2D;
  readonly text: tf.Tensor2D;
  readonly decoderInput: tf.Tensor2D;
  readonly targets: tf.Tensor2D;
}

/** A batch with its encoder depths and, for a shallow draw with distillation, the full model's output. */
interface DepthBatch extends Batch {
  readonly depths: EncoderDepths;
  /** Softmax of the last decoder layer on the full-depth memory [B, steps, V], computed outside the gradient. */
  readonly teacherProbs?: tf.Tensor;
}

/**
 * Batches of one task each (a task keeps its own decoder length: 1 step for entailment, 7 for captions), the
 * samples of each task shuffled and the batches of both tasks interleaved at random; one model learns both tasks
 * (as OFA does).
 */
function* batchesOf(sets: readonly VisionLanguageSet[], batchSize: number, seed: number): Generator<Batch> {
  const rng = createRng(seed);
  const plan: [VisionLanguageSet, number[]][] = [];
  for (const set of sets) {
    const order = rng.shuffle(Array.from({ length: set.n }, (_, i) => i));
    for (let from = 0; from < set.n; from += batchSize) plan.push([set, order.slice(from, from + batchSize)]);
  }
  rng.shuffle(plan);
  for (const [set, rows] of plan) {
    const b = rows.length;
    const steps = set.steps;
    const pixels = new Float32Array(b * 784);
    const text = new Int32Array(b * set.textLength);
    const decoderInput = new Int32Array(b * steps);
    const targets = new Int32Array(b * steps);
    rows.forEach((i, k) => {
      pixels.set(set.images.subarray(i * 784, (i + 1) * 784), k * 784);
      text.set(set.text.subarray(i * set.textLength, (i + 1) * set.textLength), k * set.textLength);
      decoderInput.set(set.decoderInput.subarray(i * steps, (i + 1) * steps), k * steps);
      targets.set(set.targets.subarray(i * steps, (i + 1) * steps), k * steps);
    });
    const batch = {
      pixels: tf.tensor2d(pixels, [b, 784]),
      text: tf.tensor2d(text, [b, set.textLength], 'int32'),
      decoderInput: tf.tensor2d(decoderInput, [b, steps], 'int32'),
      targets: tf.tensor2d(targets, [b, steps], 'int32'),
    };
    try {
      yield batch;
    } finally {
      tf.dispose([batch.pixels, batch.text, batch.decoderInput, batch.targets]);
    }
  }
}

/** Batches per epoch of batchesOf. */
function countBatches(sets: readonly VisionLanguageSet[], batchSize: number): number {
  return sets.reduce((sum, set) => sum + Math.ceil(set.n / batchSize), 0);
}

/** Linear decay from `peak` at epoch 0 to peak / 10 at the last epoch. */
export function learningRateAt(peak: number, epoch: number, epochs: number): number {
  return peak * (1 - (0.9 * epoch) / Math.max(1, epochs - 1));
}

/** Adam reads its learning rate at every step; tfjs keeps the field protected, so it is set through this view. */
function setLearningRate(optimizer: tf.Optimizer, value: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = value;
}

/**
 * Trains the model on both tasks with MuE's layer-wise decoder loss (no exits during training; with the
 * `mixed-depth` and `random-depth` recipes the decoder reads the memory of a drawn encoder depth per stream and
 * batch, see sampleEncoderDepths; with `distillation` > 0 a batch with a shallow draw also pulls every decoder
 * layer's output towards the full-depth model's, see depthDistillationLoss), or loads it
 * from the cache when these settings were trained before. Returns the model and whether it was loaded.
 */
export async function trainOrLoad(
  o: ModelSettings & Pick<MueOptions, 'cacheDir' | 'progress' | 'log'>,
  sets: readonly VisionLanguageSet[],
): Promise<{ model: TwoStreamModel; cached: boolean; seconds: number }> {
  const model = createMueModel(o);
  const path = checkpointPath(o.cacheDir, o);
  if (await checkpointExists(path)) {
    await loadVariables(path, model.variables);
    return { model, cached: true, seconds: 0 };
  }
  const started = performance.now();
  const batchesPerEpoch = countBatches(sets, o.batchSize);
  const optimizer = tf.train.adam(o.learningRate);
  const depthRng = createRng(o.seed * 1000 + 999);
  // one depth draw per batch, in batch order; the teacher's pass runs here, outside the optimizer's gradient
  function* withDepths(batches: Iterable<Batch>): Generator<DepthBatch> {
    for (const batch of batches) {
      const depths = sampleEncoderDepths(o.encoderRecipe, depthRng, o.encoderLayers);
      const shallow = depths.image < o.encoderLayers || depths.text < o.encoderLayers;
      const teacherProbs =
        o.distillation > 0 && shallow
          ? tf.tidy(() => tf.softmax(model.head(model.decoderHiddens(batch.pixels, batch.text, batch.decoderInput).at(-1)!)))
          : undefined;
      try {
        yield { ...batch, depths, ...(teacherProbs ? { teacherProbs } : {}) };
      } finally {
        teacherProbs?.dispose();
      }
    }
  }
  try {
    const result = await fit<DepthBatch>({
      variables: model.variables,
      epochs: o.epochs,
      batchesPerEpoch,
      batches: (epoch) => withDepths(batchesOf(sets, o.batchSize, o.seed * 1000 + epoch)),
      optimizer,
      progress: o.progress ? 'mue' : false,
      loss: (batch) => {
        const hiddens = model.decoderHiddens(batch.pixels, batch.text, batch.decoderInput, batch.depths);
        const task = layerwiseDecoderLoss(hiddens, model.headParameters(), batch.targets, { ignoreIndex: VL_IGNORE });
        const teacher = batch.teacherProbs;
        if (!teacher) return task;
        const keep = tf.notEqual(batch.targets, VL_IGNORE);
        // the head on rows [B * steps, d] (a batched matMul of [B, steps, d] by [d, V] has a broken gradient in tfjs)
        const logits = hiddens.map((h) => tf.reshape(model.head(tf.reshape(h, [-1, o.dModel])), teacher.shape));
        const distill = depthDistillationLoss(logits, teacher, keep);
        return tf.add(task, tf.mul(distill, o.distillation)) as tf.Scalar;
      },
      onEpochEnd: (epoch, loss) => {
        o.log(`epoch ${epoch + 1}/${o.epochs}: layer-wise loss ${loss.toFixed(4)}`);
        setLearningRate(optimizer, learningRateAt(o.learningRate, epoch + 1, o.epochs));
      },
    });
    o.log(`trained ${result.epochs} epochs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    optimizer.dispose();
  }
  await saveVariables(path, model.variables);
  return { model, cached: false, seconds: (performance.now() - started) / 1000 };
}

import * as tf from '@tensorflow/tfjs';
import { ArgumentError, argmaxRows, CountMismatchError, createRng, type Module } from '@offramp/core';
import { crossEntropyPerSample, warmupWeights } from '@offramp/losses';
import { BestWeights } from './best-weights.js';
import { cachedLogits, type FeatureCache, featureTensor } from './feature-cache.js';
import { createTrainingProgress } from './progress.js';
import { createCosineSgd, type SgdSettings, weightDecayTerm } from './sgd-schedule.js';

type TfModule = Module<tf.Tensor, tf.Variable>;

export interface WarmupOptions extends SgdSettings {
  /** One head per exit. */
  readonly heads: readonly TfModule[];
  /** Which heads to train (default all); e.g. false for the backbone's own last head. */
  readonly trainable?: readonly boolean[];
  readonly train: FeatureCache;
  readonly validation: FeatureCache;
  /** Most epochs; a head stops earlier after `patience` epochs without a better validation accuracy. */
  readonly maxEpochs: number;
  /** Default 2 (JEI-DNN). */
  readonly patience?: number;
  /** Default 64. */
  readonly batchSize?: number;
  readonly seed: number;
  readonly progress?: boolean | string;
}

export interface WarmupResult {
  /** Validation accuracy of every head after every epoch it trained (rows: epochs). */
  readonly validationAccuracy: number[][];
  /** Best validation accuracy per head (the weights kept); the untrained heads' accuracy as they are. */
  readonly bestAccuracy: number[];
  /** Epoch (0-based) of each head's best weights; -1 for heads not trained. */
  readonly bestEpoch: number[];
  /** Mean batch loss per epoch. */
  readonly losses: number[];
}

/** Accuracy of each head on a feature cache. */
export async function headAccuracies(cache: FeatureCache, heads: readonly TfModule[], classes: number): Promise<number[]> {
  const logits = await cachedLogits(cache, heads);
  return logits.map((z) => {
    const predicted = argmaxRows(z, classes);
    let correct = 0;
    for (let i = 0; i < cache.n; i++) if (predicted[i] === cache.labels[i]) correct++;
    return correct / cache.n;
  });
}

export function shuffledBatches(n: number, batchSize: number, seed: number): Int32Array[] {
  const order = createRng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const out: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) out.push(order.slice(start, Math.min(n, start + batchSize)));
  return out;
}

/**
 * JEI-DNN's head warm-up on a frozen backbone's cached features: loss CE_L + sum_{l<L} (L - l) CE_l (earlier
 * heads weigh more), SGD with momentum and a cosine schedule; after every epoch each head's validation accuracy
 * is measured, and a head whose accuracy has not improved for `patience` epochs stops training. At the end every
 * head gets back its best weights.
 */
export async function warmupHeads(options: WarmupOptions): Promise<WarmupResult> {
  const { heads, train, validation, maxEpochs, seed } = options;
  const exits = heads.length;
  const trainable = options.trainable ?? heads.map(() => true);
  const batchSize = options.batchSize ?? 64;
  if (trainable.length !== exits) {
    throw new CountMismatchError({ field: 'trainable.length', expected: `${exits} (one per head)`, received: String(trainable.length) });
  }
  if (!Number.isInteger(maxEpochs) || maxEpochs < 1) {
    throw new ArgumentError({ field: 'maxEpochs', expected: 'a whole number >= 1', received: String(maxEpochs) });
  }
  const classes = heads[0]!.outputShape[0]!;
  const weights = warmupWeights(exits);
  const keepers = heads.map((head, l) => (trainable[l] ? new BestWeights(head.variables, { patience: options.patience ?? 2 }) : undefined));
  const active = new Set(heads.map((_, l) => l).filter((l) => trainable[l]));
  // one optimiser per head: the loss is a sum of per-head terms on fixed features, so this equals one joint
  // optimiser, and a head can stop without disturbing the others' momentum (tfjs keys optimiser state by position)
  const sgds = heads.map((_, l) => (trainable[l] ? createCosineSgd(options) : undefined));
  const decay = sgds.find((s) => s)?.weightDecay ?? 0;
  const perEpoch = Math.ceil(train.n / batchSize);
  const total = maxEpochs * perEpoch;
  const progress = options.progress ? createTrainingProgress(typeof options.progress === 'string' ? options.progress : 'warm-up', total, maxEpochs) : undefined;
  const validationAccuracy: number[][] = [];
  const losses: number[] = [];
  const labelsOf = (rows: Int32Array) => tf.tensor1d(Int32Array.from(rows, (i) => train.labels[i]!), 'int32');
  try {
    for (let epoch = 0; epoch < maxEpochs && active.size > 0; epoch++) {
      const exitsNow = [...active];
      const variables = exitsNow.flatMap((l) => [...heads[l]!.variables]);
      let sum = 0;
      const batches = shuffledBatches(train.n, batchSize, seed + 7919 * epoch);
      for (const [b, rows] of batches.entries()) {
        for (const l of exitsNow) sgds[l]!.schedule(epoch * perEpoch + b, total);
        const { value, grads } = tf.variableGrads(() => {
          const labels = labelsOf(rows);
          const terms = exitsNow.map((l) => {
            const logits = heads[l]!.apply(featureTensor(train, l, rows), true) as tf.Tensor2D;
            return tf.mul(tf.mean(crossEntropyPerSample(logits, labels)), weights[l]!);
          });
          return tf.add(tf.addN(terms), weightDecayTerm(variables, decay)) as tf.Scalar;
        }, variables);
        for (const l of exitsNow) {
          sgds[l]!.optimizer.applyGradients(heads[l]!.variables.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        }
        tf.dispose(grads);
        const loss = (await value.data())[0]!;
        value.dispose();
        sum += loss;
        progress?.tick(epoch, loss);
      }
      losses.push(sum / batches.length);
      const accuracy = await headAccuracies(validation, heads, classes);
      validationAccuracy.push(accuracy);
      for (const l of exitsNow) {
        const keeper = keepers[l]!;
        keeper.update(accuracy[l]!);
        if (keeper.shouldStop) active.delete(l);
      }
    }
  } finally {
    progress?.stop();
    for (const sgd of sgds) sgd?.dispose();
  }
  for (const keeper of keepers) keeper?.restore();
  const bestAccuracy = await headAccuracies(validation, heads, classes);
  const bestEpoch = keepers.map((k) => (k ? k.bestUpdate : -1));
  for (const keeper of keepers) keeper?.dispose();
  return { validationAccuracy, bestAccuracy, bestEpoch, losses };
}

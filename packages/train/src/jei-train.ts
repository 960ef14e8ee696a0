import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, type Module } from '@offramp/core';
import {
  crossEntropyPerSample,
  jeiClassBalance,
  jeiGateLoss,
  jeiGateTargets,
  jeiHeadLoss,
  jeiTargetExits,
  jeiTargetExitsHost,
} from '@offramp/losses';
import type { JeiGates } from '@offramp/gates/training';
import { cachedLogits, type FeatureCache, featureTensor } from './feature-cache.js';
import { shuffledBatches } from './jei-warmup.js';
import { createTrainingProgress } from './progress.js';
import { createCosineSgd, type SgdSettings, weightDecayTerm } from './sgd-schedule.js';

type TfModule = Module<tf.Tensor, tf.Variable>;

export interface JeiTrainOptions extends SgdSettings {
  /** One head per exit (warmed up). */
  readonly heads: readonly TfModule[];
  /** Which heads the head phases train (default all). */
  readonly trainable?: readonly boolean[];
  readonly gates: JeiGates;
  readonly train: FeatureCache;
  /** Where the class-balancing weights rho come from, recomputed after every epoch. */
  readonly validation: FeatureCache;
  /** Normalised cumulative cost c_l of exiting at each exit. */
  readonly costs: readonly number[];
  readonly lambda: number;
  /** Default 10. */
  readonly epochs?: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Batches per phase before switching between gates and heads; every epoch starts with the gates. Default 200. */
  readonly switchEvery?: number;
  /** What n_l counts in rho_l = min((N - n_l) / n_l, 5) (see jeiClassBalance). Default 'target-exit'. */
  readonly rhoCounts?: 'target-exit' | 'positives';
  /** Head-loss weighting (see jeiHeadLoss). Default 'paper'. */
  readonly weighting?: 'paper' | 'released';
  readonly seed: number;
  readonly progress?: boolean | string;
}

export interface JeiEpochLog {
  /** rho used during the epoch (from the validation targets). */
  readonly rho: number[];
  /** Validation samples per target exit l* at the start of the epoch. */
  readonly targetCounts: number[];
  readonly gateBatches: number;
  readonly headBatches: number;
  /** Mean loss of the gate and head batches (NaN when there were none). */
  readonly gateLoss: number;
  readonly headLoss: number;
}

/** Per-exit cross-entropies (n x L, row-major) of the heads on a feature cache. */
export async function cachedCrossEntropies(cache: FeatureCache, heads: readonly TfModule[]): Promise<Float32Array> {
  const logits = await cachedLogits(cache, heads);
  const exits = heads.length;
  const out = new Float32Array(cache.n * exits);
  const labels = tf.tensor1d(cache.labels, 'int32');
  for (let l = 0; l < exits; l++) {
    const ce = tf.tidy(() => crossEntropyPerSample(tf.tensor2d(logits[l]!, [cache.n, logits[l]!.length / cache.n]), labels));
    const values = await ce.data();
    ce.dispose();
    for (let i = 0; i < cache.n; i++) out[i * exits + l] = values[i]!;
  }
  labels.dispose();
  return out;
}

function softmaxAll(logits: readonly tf.Tensor2D[]): tf.Tensor2D[] {
  return logits.map((z) => tf.softmax(z) as tf.Tensor2D);
}

/**
 * JEI-DNN's alternating training on a frozen backbone's cached features: each epoch starts with the gates,
 * then switches between gate and head phases every `switchEvery` batches.
 * - gate phase: targets l* = argmin_l CE_l + lambda c_l from the current heads, loss jeiGateLoss with rho;
 * - head phase: jeiHeadLoss with pi from the gates (gradient stopped) on the trainable heads.
 * Both use SGD with momentum, weight decay and a cosine schedule over all steps (separate optimisers).
 */
export async function trainJei(options: JeiTrainOptions): Promise<JeiEpochLog[]> {
  const { heads, gates, train, validation, costs, lambda, seed } = options;
  const exits = heads.length;
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 64;
  const switchEvery = options.switchEvery ?? 200;
  const trainable = options.trainable ?? heads.map(() => true);
  if (gates.exits !== exits) {
    throw new CountMismatchError({ field: 'gates.exits', expected: `${exits} (as many exits as heads)`, received: String(gates.exits) });
  }
  if (costs.length !== exits) {
    throw new CountMismatchError({ field: 'costs.length', expected: `${exits} (one per exit)`, received: String(costs.length) });
  }
  if (trainable.length !== exits) {
    throw new CountMismatchError({ field: 'trainable.length', expected: `${exits} (one per head)`, received: String(trainable.length) });
  }
  for (const [field, value] of Object.entries({ epochs, batchSize, switchEvery })) {
    if (!Number.isInteger(value) || value < 1) throw new ArgumentError({ field, expected: 'a whole number >= 1', received: String(value) });
  }
  const headVariables = heads.flatMap((h, l) => (trainable[l] ? [...h.variables] : []));
  const gateVariables = [...gates.variables];
  const gateSgd = createCosineSgd(options);
  const headSgd = createCosineSgd(options);
  const perEpoch = Math.ceil(train.n / batchSize);
  const total = epochs * perEpoch;
  const progress = options.progress
    ? createTrainingProgress(typeof options.progress === 'string' ? options.progress : `jei lambda ${lambda}`, total, epochs)
    : undefined;
  const logs: JeiEpochLog[] = [];
  let step = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const targetsHost = jeiTargetExitsHost(await cachedCrossEntropies(validation, heads), costs, lambda);
      const rho = jeiClassBalance(targetsHost, exits, { counts: options.rhoCounts ?? 'target-exit' });
      const targetCounts = new Array<number>(exits).fill(0);
      for (const l of targetsHost) targetCounts[l]! += 1;
      let gateSum = 0;
      let headSum = 0;
      let gateBatches = 0;
      let headBatches = 0;
      const batches = shuffledBatches(train.n, batchSize, seed + 104729 * (epoch + 1));
      for (let b = 0; b < batches.length; b++) {
        const rows = batches[b]!;
        const gatePhase = headVariables.length === 0 || Math.floor(b / switchEvery) % 2 === 0;
        const labels = tf.tensor1d(Int32Array.from(rows, (i) => train.labels[i]!), 'int32');
        const inputs = heads.map((_, l) => featureTensor(train, l, rows));
        let cost: tf.Scalar | null;
        if (gatePhase) {
          gateSgd.schedule(step, total);
          cost = gateSgd.optimizer.minimize(
            () => {
              const logits = heads.map((h, l) => h.apply(inputs[l]!, false) as tf.Tensor2D);
              const ce = tf.stack(logits.map((z) => crossEntropyPerSample(z, labels)), 1) as tf.Tensor2D;
              const targets = jeiGateTargets(jeiTargetExits(ce, costs, lambda), exits);
              const out = gates.forward(softmaxAll(logits));
              return tf.add(jeiGateLoss(out.logits, targets, rho), weightDecayTerm(gateVariables, gateSgd.weightDecay)) as tf.Scalar;
            },
            true,
            gateVariables,
          );
        } else {
          headSgd.schedule(step, total);
          cost = headSgd.optimizer.minimize(
            () => {
              const logits = heads.map((h, l) => h.apply(inputs[l]!, true) as tf.Tensor2D);
              const out = gates.forward(softmaxAll(logits));
              const loss = jeiHeadLoss(logits, labels, out.pi, { weighting: options.weighting ?? 'paper' });
              return tf.add(loss, weightDecayTerm(headVariables, headSgd.weightDecay)) as tf.Scalar;
            },
            true,
            headVariables,
          );
        }
        tf.dispose([labels, ...inputs]);
        const value = (await cost!.data())[0]!;
        cost!.dispose();
        if (!Number.isFinite(value)) {
          throw new ArgumentError({ field: `loss (epoch ${epoch}, batch ${b})`, expected: 'a finite number', received: String(value) });
        }
        if (gatePhase) {
          gateSum += value;
          gateBatches++;
        } else {
          headSum += value;
          headBatches++;
        }
        step++;
        progress?.tick(epoch, value);
      }
      logs.push({
        rho,
        targetCounts,
        gateBatches,
        headBatches,
        gateLoss: gateBatches ? gateSum / gateBatches : Number.NaN,
        headLoss: headBatches ? headSum / headBatches : Number.NaN,
      });
    }
  } finally {
    progress?.stop();
    gateSgd.dispose();
    headSgd.dispose();
  }
  return logs;
}

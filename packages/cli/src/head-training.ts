import { createRng } from '@offramp/core';
import { createLinearHead, createMlpHead, type TfModule } from '@offramp/heads';
import { BestWeights, fit } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';

export type HeadKind = 'linear' | 'mlp';
export const HEAD_KINDS: readonly HeadKind[] = ['linear', 'mlp'];

export type HeadPool = 'flatten' | 'grid';
export const HEAD_POOLS: readonly HeadPool[] = ['flatten', 'grid'];

export interface HeadTrainingOptions {
  readonly kind: HeadKind;
  /** How an image feature map reaches the head: every value, or averaged down to about 7 x 7 first. */
  readonly pool: HeadPool;
  readonly classes: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Epochs without a better validation accuracy after which training stops (best weights kept). */
  readonly patience: number;
  readonly seed: number;
  /** Progress bar label. */
  readonly label: string;
}

/** Features of one exit (channels-last) and labels. */
export interface FeatureSet {
  readonly features: Float32Array;
  readonly labels: Int32Array;
}

function accuracy(head: TfModule, data: FeatureSet, shape: readonly number[]): number {
  const n = data.labels.length;
  const predicted = tf.tidy(() => (head.apply(tf.tensor(data.features, [n, ...shape])) as tf.Tensor).argMax(1).dataSync());
  let correct = 0;
  for (let i = 0; i < n; i++) if (predicted[i] === data.labels[i]) correct += 1;
  return correct / n;
}

/**
 * Trains one exit head on its features: minibatch Adam with cross-entropy, the best weights by
 * validation accuracy kept (early stopping after `patience` epochs without improvement).
 */
export async function trainHead(
  shape: readonly number[],
  train: FeatureSet,
  validation: FeatureSet,
  options: HeadTrainingOptions,
): Promise<{ head: TfModule; validationAccuracy: number; epochs: number }> {
  const base = { inputShape: shape, classes: options.classes, pool: options.pool, seed: options.seed };
  const head = options.kind === 'mlp' ? createMlpHead({ ...base, hidden: 64 }) : createLinearHead(base);
  const n = train.labels.length;
  const size = train.features.length / n;
  const batches = Math.ceil(n / options.batchSize);
  const best = new BestWeights(head.variables, { patience: options.patience });
  const optimizer = tf.train.adam(options.learningRate);
  try {
    const result = await fit<{ x: tf.Tensor; y: tf.Tensor }>({
      variables: head.variables,
      epochs: options.epochs,
      batchesPerEpoch: batches,
      optimizer,
      progress: options.label,
      batches: function* (epoch) {
        const order = createRng(options.seed * 1000 + epoch).shuffle(Int32Array.from({ length: n }, (_, i) => i));
        for (let b = 0; b < batches; b++) {
          const rows = order.subarray(b * options.batchSize, Math.min(n, (b + 1) * options.batchSize));
          const x = new Float32Array(rows.length * size);
          rows.forEach((row, k) => {
            x.set(train.features.subarray(row * size, (row + 1) * size), k * size);
          });
          const labels = Int32Array.from(rows, (row) => train.labels[row]!);
          const batch = {
            x: tf.tensor(x, [rows.length, ...shape]),
            y: tf.oneHot(tf.tensor1d(labels, 'int32'), options.classes),
          };
          try {
            yield batch;
          } finally {
            batch.x.dispose();
            batch.y.dispose();
          }
        }
      },
      loss: ({ x, y }) => tf.losses.softmaxCrossEntropy(y, head.apply(x, true) as tf.Tensor) as tf.Scalar,
      onEpochEnd: () => {
        best.update(accuracy(head, validation, shape));
        return best.shouldStop ? 'stop' : undefined;
      },
    });
    best.restore();
    return { head, validationAccuracy: best.best ?? 0, epochs: result.epochs };
  } finally {
    best.dispose();
    optimizer.dispose();
  }
}

/**
 * The head of a last exit that is the model's own output (its class scores): a linear head fixed to the
 * identity, so that exit answers exactly as the model does (no training; temperature scaling may still fold in).
 */
export function identityHead(classes: number, validation: FeatureSet): { head: TfModule; validationAccuracy: number; epochs: number } {
  const head = createLinearHead({ inputShape: [classes], classes, pool: 'flatten', seed: 0 });
  const [kernel, bias] = head.variables;
  tf.tidy(() => {
    kernel!.assign(tf.eye(classes));
    bias!.assign(tf.zeros([classes]));
  });
  return { head, validationAccuracy: accuracy(head, validation, [classes]), epochs: 0 };
}

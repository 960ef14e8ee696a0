import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';
import { stopGradient } from './stop-gradient.js';

/** How EMO's transport term is combined with cross-entropy. */
export type EmoMode = 'mle-emphasized' | 'emo-emphasized';

export interface DemdLossOptions {
  /** Target value of positions left out of the average (padding); default -100. */
  readonly ignoreIndex?: number;
}

export interface EmoLossOptions extends DemdLossOptions {
  readonly mode: EmoMode;
  /** 'mle-emphasized' only: upper bound of the weight sg(CE / DEMD); default no bound. */
  readonly clip?: number;
}

/** Denominators of the stop-gradient weights are at least this (DEMD or CE can reach 0). */
const WEIGHT_FLOOR = 1e-8;
/** Embedding rows are divided by max(norm, this) so an all-zero row gives cosine 0, not NaN. */
const NORM_FLOOR = 1e-12;

interface Flat {
  readonly logits: tf.Tensor2D;
  readonly targets: tf.Tensor1D;
}

function checkInputs(logits: tf.Tensor, targets: tf.Tensor, costEmbedding: tf.Tensor, ignoreIndex: number): void {
  if (logits.rank !== 2 && logits.rank !== 3) {
    throw new InputShapeError({
      field: 'logits',
      expected: 'a rank-2 [N, V] or rank-3 [B, T, V] tensor',
      received: `shape [${logits.shape.join(', ')}]`,
    });
  }
  const leading = logits.shape.slice(0, -1);
  const sameLeading = targets.rank === leading.length && targets.shape.every((d, i) => d === leading[i]);
  if (!sameLeading) {
    throw new InputShapeError({
      field: 'targets',
      expected: `shape [${leading.join(', ')}] (the logits without the vocabulary axis)`,
      received: `shape [${targets.shape.join(', ')}]`,
    });
  }
  if (targets.dtype !== 'int32') {
    throw new ArgumentError({ field: 'targets.dtype', expected: 'int32', received: targets.dtype });
  }
  if (costEmbedding.rank !== 2) {
    throw new InputShapeError({
      field: 'costEmbedding',
      expected: 'a rank-2 [V, d] tensor',
      received: `shape [${costEmbedding.shape.join(', ')}]`,
    });
  }
  const vocabulary = logits.shape[logits.rank - 1]!;
  if (costEmbedding.shape[0] !== vocabulary) {
    throw new CountMismatchError({
      field: 'costEmbedding.shape[0]',
      expected: `${vocabulary} rows (one per vocabulary entry of the logits)`,
      received: `${costEmbedding.shape[0]} rows`,
    });
  }
  if (!Number.isInteger(ignoreIndex)) {
    throw new ArgumentError({ field: 'ignoreIndex', expected: 'an integer', received: String(ignoreIndex) });
  }
}

function flatten(logits: tf.Tensor, targets: tf.Tensor): Flat {
  const vocabulary = logits.shape[logits.rank - 1]!;
  return {
    logits: tf.reshape(logits, [-1, vocabulary]) as tf.Tensor2D,
    targets: tf.reshape(targets, [-1]) as tf.Tensor1D,
  };
}

/** Rows of the embedding scaled to unit length, without gradient (the cost embedding is frozen). */
function unitRows(costEmbedding: tf.Tensor): tf.Tensor2D {
  const norms = tf.maximum(tf.norm(costEmbedding, 'euclidean', 1, true), NORM_FLOOR);
  return stopGradient(tf.div(costEmbedding, norms)) as tf.Tensor2D;
}

interface PositionTerms {
  /** -log q_y per position. */
  readonly ce: tf.Tensor1D;
  /** 1 - ehat_y . (q^T Ehat) per position. */
  readonly demd: tf.Tensor1D;
  /** 1 where the target is not ignoreIndex. */
  readonly mask: tf.Tensor1D;
}

/** CE and DEMD of every position; call inside tf.tidy. Ignored positions are computed with target 0. */
function positionTerms(flat: Flat, costEmbedding: tf.Tensor, ignoreIndex: number): PositionTerms {
  const vocabulary = flat.logits.shape[1];
  const valid = tf.notEqual(flat.targets, ignoreIndex);
  const safeTargets = tf.where(valid, flat.targets, tf.zerosLike(flat.targets)) as tf.Tensor1D;
  const logProbs = tf.logSoftmax(flat.logits, 1);
  const probs = tf.exp(logProbs);
  const ce = tf.neg(tf.sum(tf.mul(logProbs, tf.oneHot(safeTargets, vocabulary)), 1)) as tf.Tensor1D;
  const unit = unitRows(costEmbedding);
  const targetRows = tf.gather(unit, safeTargets);
  const expectedRow = tf.matMul(probs, unit);
  const demd = tf.sub(1, tf.sum(tf.mul(targetRows, expectedRow), 1)) as tf.Tensor1D;
  return { ce, demd, mask: tf.cast(valid, 'float32') as tf.Tensor1D };
}

function maskedMean(values: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/**
 * DEMD of each position with a one-hot target and the cost 1 - cos(e_i, e_j) of a frozen embedding:
 * sum_i q_i (1 - cos(e_i, e_y)) = 1 - ehat_y . (q^T Ehat), q = softmax(logits), in O(V d) per position.
 * Averaged over positions whose target is not `ignoreIndex` (0 when every position is ignored).
 * `logits` [N, V] or [B, T, V], `targets` int32 [N] or [B, T], `costEmbedding` [V, d] (receives no gradient).
 */
export function demdLoss(
  logits: tf.Tensor,
  targets: tf.Tensor,
  costEmbedding: tf.Tensor,
  options: DemdLossOptions = {},
): tf.Scalar {
  const ignoreIndex = options.ignoreIndex ?? -100;
  checkInputs(logits, targets, costEmbedding, ignoreIndex);
  return tf.tidy(() => {
    const terms = positionTerms(flatten(logits, targets), costEmbedding, ignoreIndex);
    return maskedMean(terms.demd, terms.mask);
  });
}

function checkMode(options: EmoLossOptions): void {
  if (options.mode !== 'mle-emphasized' && options.mode !== 'emo-emphasized') {
    throw new ArgumentError({
      field: 'mode',
      expected: "'mle-emphasized' or 'emo-emphasized'",
      received: JSON.stringify(options.mode),
    });
  }
  if (options.clip !== undefined) {
    if (options.mode !== 'mle-emphasized') {
      throw new ArgumentError({
        field: 'clip',
        expected: "no clip with mode 'emo-emphasized' (it bounds the weight of the 'mle-emphasized' mode)",
        received: String(options.clip),
      });
    }
    if (!Number.isFinite(options.clip) || options.clip <= 0) {
      throw new ArgumentError({ field: 'clip', expected: 'a finite number > 0', received: String(options.clip) });
    }
  }
}

/**
 * EMO: DEMD (see `demdLoss`) combined with cross-entropy per position (sg = stop-gradient), then averaged over
 * positions whose target is not `ignoreIndex`:
 * - 'mle-emphasized': 1/2 (CE + w D) with w = sg(CE / D), optionally min(w, clip); its value equals CE when
 *   not clipped, only the gradient changes.
 * - 'emo-emphasized': sg(D / CE) CE + D; its value is 2 D.
 * Targets must already be aligned with the logits (shift language-model labels by one before calling).
 */
export function emoLoss(
  logits: tf.Tensor,
  targets: tf.Tensor,
  costEmbedding: tf.Tensor,
  options: EmoLossOptions,
): tf.Scalar {
  const ignoreIndex = options.ignoreIndex ?? -100;
  checkInputs(logits, targets, costEmbedding, ignoreIndex);
  checkMode(options);
  return tf.tidy(() => {
    const { ce, demd, mask } = positionTerms(flatten(logits, targets), costEmbedding, ignoreIndex);
    let perPosition: tf.Tensor1D;
    if (options.mode === 'mle-emphasized') {
      let weight = stopGradient(tf.div(ce, tf.maximum(demd, WEIGHT_FLOOR)));
      if (options.clip !== undefined) weight = tf.minimum(weight, options.clip);
      perPosition = tf.mul(0.5, tf.add(ce, tf.mul(weight, demd))) as tf.Tensor1D;
    } else {
      const weight = stopGradient(tf.div(demd, tf.maximum(ce, WEIGHT_FLOOR)));
      perPosition = tf.add(tf.mul(weight, ce), demd) as tf.Tensor1D;
    }
    return maskedMean(perPosition, mask);
  });
}

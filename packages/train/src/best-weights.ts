import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '@offramp/core';

export interface BestWeightsOptions {
  /** 'max' for a metric to raise (accuracy, the default), 'min' for one to lower (loss). */
  readonly mode?: 'max' | 'min';
  /** Updates without improvement after which shouldStop is true. Default 2. */
  readonly patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
}

/**
 * Early stopping on a validation metric: keeps a copy of the variables' values from the best update so far,
 * and can put them back.
 */
export class BestWeights {
  readonly variables: readonly tf.Variable[];
  readonly mode: 'max' | 'min';
  readonly patience: number;
  readonly minDelta: number;
  private snapshot: tf.Tensor[] | undefined;
  private bestValue: number | undefined;
  private count = 0;
  private bestAt = -1;

  constructor(variables: readonly tf.Variable[], options: BestWeightsOptions = {}) {
    const { mode = 'max', patience = 2, minDelta = 0 } = options;
    if (mode !== 'max' && mode !== 'min') {
      throw new ArgumentError({ field: 'mode', expected: '"max" or "min"', received: JSON.stringify(mode) });
    }
    if (!Number.isInteger(patience) || patience < 1) {
      throw new ArgumentError({ field: 'patience', expected: 'a whole number >= 1', received: String(patience) });
    }
    if (!Number.isFinite(minDelta) || minDelta < 0) {
      throw new ArgumentError({ field: 'minDelta', expected: 'a finite number >= 0', received: String(minDelta) });
    }
    this.variables = [...variables];
    this.mode = mode;
    this.patience = patience;
    this.minDelta = minDelta;
  }

  /** The best metric so far (undefined before the first update). */
  get best(): number | undefined {
    return this.bestValue;
  }

  /** Index (0-based) of the update that gave the best metric, -1 before any. */
  get bestUpdate(): number {
    return this.bestAt;
  }

  /** Updates since the best one. */
  get sinceBest(): number {
    return this.bestAt < 0 ? 0 : this.count - 1 - this.bestAt;
  }

  /** True once `patience` updates in a row did not improve on the best. */
  get shouldStop(): boolean {
    return this.sinceBest >= this.patience;
  }

  /** Records a metric; when it improves on the best, snapshots the variables and returns true. */
  update(metric: number): boolean {
    if (!Number.isFinite(metric)) {
      throw new ArgumentError({ field: 'metric', expected: 'a finite number', received: String(metric) });
    }
    this.count += 1;
    const better =
      this.bestValue === undefined ||
      (this.mode === 'max' ? metric > this.bestValue + this.minDelta : metric < this.bestValue - this.minDelta);
    if (!better) return false;
    this.bestValue = metric;
    this.bestAt = this.count - 1;
    tf.dispose(this.snapshot);
    this.snapshot = this.variables.map((v) => tf.clone(v));
    return true;
  }

  /** Puts the best values back into the variables; false when there is nothing to restore. */
  restore(): boolean {
    const snapshot = this.snapshot;
    if (!snapshot) return false;
    this.variables.forEach((v, i) => {
      v.assign(snapshot[i]!);
    });
    return true;
  }

  /** Frees the snapshot. */
  dispose(): void {
    tf.dispose(this.snapshot);
    this.snapshot = undefined;
  }
}

import { causalMask } from '../speculative/batch-slots.js';
import type { LmBatch, LmRuntime } from './lm-runtime.js';

/**
 * One sequence as a batch of one whose slots are its positions: every pass attends causally to all it holds, and
 * rolling back is truncating.
 */
export class SingleSequence<H> {
  readonly batch: LmBatch<H>;

  constructor(runtime: LmRuntime<H>) {
    this.batch = runtime.openBatch(1);
  }

  /** Tokens at positions [position, position + n) through layers [0, to); the head's probabilities after the last. */
  async feed(tokens: readonly number[], position: number, to: number, probs: boolean): Promise<{ hidden: H; probs?: Float32Array }> {
    const t = tokens.length;
    const fed = await this.batch.feed({ tokens, starts: [position], t }, to, causalMask(this.batch.slotsAt(0), t), probs);
    return fed.probs ? { hidden: fed.hidden, probs: fed.probs[t - 1]! } : { hidden: fed.hidden };
  }

  /** Hidden states of consecutive positions through layers [from, layers); probabilities at every position. */
  finish(hidden: readonly H[], from: number, positions: number): Promise<Float32Array[]> {
    return this.batch.finish(hidden, from, causalMask(this.batch.slotsAt(from), positions));
  }

  truncate(length: number): void {
    this.batch.truncate(length);
  }

  release(hidden: H): void {
    this.batch.release(hidden);
  }

  dispose(): void {
    this.batch.dispose();
  }
}

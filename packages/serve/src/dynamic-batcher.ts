import type { Answer, BatchingOptions, PolicyName, Scheduler } from './answer.js';
import { answerOf, IdleWaiters, type NetworkAnswer, type Pending } from './pending.js';

/** Runs one batch of whole samples (batch x inputSize values) and answers each row. */
export type BatchRunner = (input: Float32Array, batch: number) => Promise<NetworkAnswer[]>;

/**
 * Dynamic batching of whole requests: a batch starts when `maxBatch` samples wait or the oldest has
 * waited `maxWaitMs`, and every sample of it is answered when the whole batch is done. With the
 * full model this is plain dynamic batching; with runEarlyExit it is per-batch early exit, where a
 * sample that exits early still waits for the slowest sample of its batch; with the compiled graph
 * it is the same per-batch early exit in one session call.
 */
export class DynamicBatcher implements Scheduler {
  readonly policy: PolicyName;
  readonly #run: BatchRunner;
  readonly #options: BatchingOptions;
  readonly #inputSize: number;
  #queue: Pending[] = [];
  #busy = false;
  #draining = false;
  #depth = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #idle = new IdleWaiters();

  constructor(policy: PolicyName, inputSize: number, options: BatchingOptions, run: BatchRunner) {
    this.policy = policy;
    this.#inputSize = inputSize;
    this.#options = options;
    this.#run = run;
  }

  get depth(): number {
    return this.#depth;
  }

  stageDepths(): number[] {
    return [this.#queue.length];
  }

  submit(input: Float32Array): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.#queue.push({ input, admitted: performance.now(), resolve, reject });
      this.#depth++;
      this.#kick();
    });
  }

  drain(): Promise<void> {
    this.#draining = true;
    if (this.#depth === 0) return Promise.resolve();
    const idle = this.#idle.wait();
    this.#kick();
    return idle;
  }

  #kick(): void {
    if (this.#busy) return;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const first = this.#queue[0];
    if (!first) {
      this.#idle.release();
      return;
    }
    const waited = performance.now() - first.admitted;
    if (this.#draining || this.#queue.length >= this.#options.maxBatch || waited >= this.#options.maxWaitMs) {
      void this.#runNext();
    } else {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#kick();
      }, this.#options.maxWaitMs - waited);
    }
  }

  async #runNext(): Promise<void> {
    this.#busy = true;
    const batch = this.#queue.splice(0, this.#options.maxBatch);
    try {
      const input = new Float32Array(batch.length * this.#inputSize);
      batch.forEach((p, i) => {
        input.set(p.input, i * this.#inputSize);
      });
      const answers = await this.#run(input, batch.length);
      batch.forEach((p, i) => {
        p.resolve(answerOf(p, answers[i]!));
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.#depth -= batch.length;
      this.#busy = false;
      this.#kick();
    }
  }
}

import { ArgumentError, enterRows, type ExitPolicy, type RowGroup, runStageStep, StageQueue, withThresholds } from '@offramp/core';
import type { Answer, BatchingOptions, Scheduler } from './answer.js';
import { answerOf, IdleWaiters, type Pending } from './pending.js';
import type { ServedModel } from './served-model.js';
import type { ThresholdAdapter } from './threshold-adapter.js';

/** One admitted sample inside the stage pipeline. */
interface Row {
  readonly pending: Pending;
  /** Sampled for adaptation: runs to the last exit, keeping its logits at every exit. */
  readonly shadow: boolean;
  answered: boolean;
  readonly logits: Float32Array[];
}

export interface StageSchedulerOptions extends BatchingOptions {
  /** Fraction of requests that also run to the last exit (0: none). Needs `adapter` when > 0. */
  readonly sampleFraction: number;
  readonly adapter?: ThresholdAdapter;
}

/**
 * Stage-level continuous batching of an early-exit network. Every stage keeps a queue of the rows
 * that reached it (core's StageQueue, rows of different requests pooled); a stage runs when
 * `maxBatch` rows wait or its oldest row has waited `maxWaitMs` (a later stage does not wait when
 * the stages before it are empty: no row could join). One event loop runs one ready stage at a time,
 * the one whose oldest row has waited longest: a request that exits leaves the batch at its stage and
 * is answered at once, and requests that arrive while later stages are busy join stage 0 without
 * waiting for the slower samples of earlier batches. The exit of every row is decided by
 * core's per-exit step (decideAtExit), so answers equal those of runEarlyExit and evaluateTrace.
 */
export class StageScheduler<T> implements Scheduler {
  readonly policy = 'continuous' as const;
  readonly #model: ServedModel<T>;
  readonly #options: StageSchedulerOptions;
  readonly #queues: StageQueue<T>[];
  /** performance.now() when the oldest row now waiting in each queue arrived there. */
  readonly #oldest: number[];
  readonly #rows = new Map<number, Row>();
  readonly #idle = new IdleWaiters();
  /** Requests admitted since the last step, not yet in stage 0's queue. */
  #arrivals: { readonly rows: RowGroup<T>; readonly at: number }[] = [];
  /** The policy served now; a new one is fixed when the adapter moves the thresholds. */
  #policy: ExitPolicy;
  #next = 0;
  #admitted = 0;
  #busy = false;
  #draining = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(model: ServedModel<T>, options: StageSchedulerOptions) {
    if (!(options.sampleFraction >= 0 && options.sampleFraction <= 1)) {
      throw new ArgumentError({ field: 'sampleFraction', expected: 'a number in [0, 1]', received: String(options.sampleFraction) });
    }
    if (options.sampleFraction > 0 && !options.adapter) {
      throw new ArgumentError({ field: 'adapter', expected: 'a ThresholdAdapter when sampleFraction > 0', received: 'none' });
    }
    if (typeof model.engine.concat !== 'function') {
      throw new ArgumentError({ field: 'engine.concat', expected: 'an engine that can stack batches', received: 'none' });
    }
    this.#model = model;
    this.#options = options;
    const { exits } = model.engine;
    this.#queues = Array.from({ length: exits }, () => new StageQueue<T>());
    this.#oldest = new Array<number>(exits).fill(0);
    this.#policy = model.policy;
  }

  get depth(): number {
    return this.#rows.size;
  }

  /** The thresholds served now (the adapter's when adapting). */
  get thresholds(): readonly number[] {
    return this.#options.adapter?.thresholds ?? Array.from(this.#model.policy.thresholds);
  }

  /** The policy with the thresholds served now (re-checked against the gate when the adapter moved them). */
  #currentPolicy(): ExitPolicy {
    const adapted = this.#options.adapter?.thresholds;
    if (adapted && !adapted.every((t, l) => t === this.#policy.thresholds[l])) {
      this.#policy = withThresholds(this.#model.policy, adapted, 'adapter.thresholds');
    }
    return this.#policy;
  }

  stageDepths(): number[] {
    return this.#queues.map((q, l) => q.rows + (l === 0 ? this.#arrivals.length : 0));
  }

  async submit(input: Float32Array): Promise<Answer> {
    const id = this.#next++;
    const rows = await enterRows(this.#model.engine, this.#model.policy, input, 1, id);
    return new Promise<Answer>((resolve, reject) => {
      const f = this.#options.sampleFraction;
      const shadow = Math.floor((this.#admitted + 1) * f) > Math.floor(this.#admitted * f);
      this.#admitted++;
      this.#rows.set(id, { pending: { input, admitted: performance.now(), resolve, reject }, shadow, answered: false, logits: [] });
      // Stage 0's queue changes only inside the loop (StageQueue.drain awaits the engine).
      this.#arrivals.push({ rows, at: performance.now() });
      this.#kick();
    });
  }

  drain(): Promise<void> {
    this.#draining = true;
    if (this.#rows.size === 0) return Promise.resolve();
    const idle = this.#idle.wait();
    this.#kick();
    return idle;
  }

  #push(stage: number, rows: RowGroup<T>, at = performance.now()): void {
    const queue = this.#queues[stage]!;
    if (queue.rows === 0) this.#oldest[stage] = at;
    queue.push(rows);
  }

  /**
   * Whether stage `stage` runs now: rows wait, and either they fill a batch, the oldest has waited
   * the bound, or no row can join them anyway (a later stage is fed only by earlier ones: when those
   * are empty, waiting gains nothing).
   */
  #ready(stage: number, now: number): boolean {
    const rows = this.#queues[stage]!.rows;
    if (rows === 0) return false;
    if (this.#draining || rows >= this.#options.maxBatch || now - this.#oldest[stage]! >= this.#options.maxWaitMs) return true;
    if (stage === 0) return false;
    for (let l = 0; l < stage; l++) if (this.#queues[l]!.rows > 0) return false;
    return this.#arrivals.length === 0;
  }

  #kick(): void {
    if (this.#busy) return;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#busy = true;
    void this.#loop();
  }

  /**
   * Runs ready stages one at a time while any is ready, then sleeps until the earliest wait bound.
   * Each step takes the ready stage whose oldest row has waited longest in its queue (first come,
   * first served between stages): no row starves, and a request that arrived while a stage ran goes
   * before rows that reached a later stage after it, so new requests pass slower earlier ones.
   * Arrivals enter stage 0's queue only between stage calls.
   */
  async #loop(): Promise<void> {
    try {
      for (;;) {
        this.#admitArrivals();
        const now = performance.now();
        let next = -1;
        for (let l = this.#queues.length - 1; l >= 0; l--) {
          if (this.#ready(l, now) && (next < 0 || this.#oldest[l]! < this.#oldest[next]!)) next = l;
        }
        if (next < 0) break;
        const group = await this.#queues[next]!.drain(this.#model.engine);
        if (group) await this.#runGroup(next, group);
      }
    } finally {
      this.#busy = false;
      this.#sleep();
    }
  }

  /** Moves the requests that arrived since the last step into stage 0's queue. */
  #admitArrivals(): void {
    const arrivals = this.#arrivals;
    if (arrivals.length === 0) return;
    this.#arrivals = [];
    for (const a of arrivals) this.#push(0, a.rows, a.at);
  }

  #sleep(): void {
    if (this.#rows.size === 0) {
      this.#idle.release();
      return;
    }
    const now = performance.now();
    this.#admitArrivals();
    let wake = Number.POSITIVE_INFINITY;
    this.#queues.forEach((q, l) => {
      if (q.rows > 0) wake = Math.min(wake, this.#oldest[l]! + this.#options.maxWaitMs - now);
    });
    if (wake === Number.POSITIVE_INFINITY) return;
    if (wake <= 0) {
      // A bound ran out while the loop was busy: run again on the next turn of the event loop.
      setImmediate(() => this.#kick());
      return;
    }
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#kick();
      },
      wake,
    );
  }

  /**
   * Runs stage `l` on a group through core's stage step; answers the rows that exit, queues the
   * rest (and the sampled rows, which run on to the last exit) for stage l + 1.
   */
  async #runGroup(l: number, group: RowGroup<T>): Promise<void> {
    const { engine, policy } = this.#model;
    const { exits, classes } = engine;
    const rowOf = (i: number) => this.#rows.get(group.samples[i]!)!;
    try {
      const outcome = await runStageStep(engine, this.#currentPolicy(), l, group, { runsOn: (i) => rowOf(i).shadow });
      const { logits, probs, predicted, leaving } = outcome;
      for (let i = 0; i < group.samples.length; i++) {
        const row = rowOf(i);
        const slice = (a: Float32Array) => a.subarray(i * classes, (i + 1) * classes);
        if (row.shadow) row.logits.push(slice(logits).slice());
        if (leaving[i] && !row.answered) {
          row.answered = true;
          row.pending.resolve(
            answerOf(row.pending, {
              prediction: predicted[i]!,
              probs: Array.from(slice(probs)),
              exit: l,
              cost: policy.costs.normalized[l]!,
              macs: policy.costs.cumulativeMacs[l]!,
            }),
          );
        }
        if (l < exits - 1 && (!leaving[i] || row.shadow)) continue;
        this.#rows.delete(group.samples[i]!);
        if (row.shadow && l === exits - 1) this.#options.adapter?.observe(row.logits);
      }
      if (outcome.survivors) this.#push(l + 1, outcome.survivors);
    } catch (error) {
      for (const id of group.samples) {
        const row = this.#rows.get(id);
        if (!row) continue;
        this.#rows.delete(id);
        if (!row.answered) row.pending.reject(error);
      }
    }
  }
}

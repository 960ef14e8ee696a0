import { ArgumentError, type Engine } from '@offramp/core';

/** Seconds spent in each engine operation, summed over calls. */
export interface EngineTimes {
  fromHost: number;
  runStage: number;
  runHead: number;
  take: number;
  toHost: number;
  /** Joining the rows of several batches (pooled early exit). */
  concat: number;
  stageCalls: number;
  /** Per stage: seconds in runStage (a fused stage+head call), and rows (samples) it processed. */
  perStage: { seconds: number; rows: number; calls: number }[];
}

export function emptyTimes(exits: number): EngineTimes {
  return {
    fromHost: 0,
    runStage: 0,
    runHead: 0,
    take: 0,
    toHost: 0,
    concat: 0,
    stageCalls: 0,
    perStage: Array.from({ length: exits }, () => ({ seconds: 0, rows: 0, calls: 0 })),
  };
}

/** The batch size of an engine value, when it says (OnnxEngine values do). */
function rowsOf(value: unknown): number {
  const batch = (value as { batch?: unknown } | null)?.batch;
  return typeof batch === 'number' ? batch : 0;
}

/**
 * Wraps an engine and adds up the time of each operation (session calls in runStage/runHead,
 * batch compaction in take), to see where the time of early exit goes.
 */
export class TimingEngine<T> implements Engine<T> {
  readonly times: EngineTimes;

  constructor(readonly inner: Engine<T>) {
    this.times = emptyTimes(inner.exits);
  }

  get exits(): number {
    return this.inner.exits;
  }
  get classes(): number {
    return this.inner.classes;
  }
  get inputShape(): readonly number[] {
    return this.inner.inputShape;
  }

  async #timed<R>(key: 'fromHost' | 'runStage' | 'runHead' | 'take' | 'toHost' | 'concat', run: () => R | Promise<R>): Promise<R> {
    const start = performance.now();
    const out = await run();
    this.times[key] += (performance.now() - start) / 1000;
    return out;
  }

  fromHost(data: Float32Array, batch: number): Promise<T> {
    return this.#timed('fromHost', () => this.inner.fromHost(data, batch));
  }
  async runStage(stage: number, input: T): Promise<T> {
    this.times.stageCalls += 1;
    const before = this.times.runStage;
    const out = await this.#timed('runStage', () => this.inner.runStage(stage, input));
    const entry = this.times.perStage[stage];
    if (entry) {
      entry.seconds += this.times.runStage - before;
      entry.rows += rowsOf(input);
      entry.calls += 1;
    }
    return out;
  }
  runHead(exit: number, hidden: T): Promise<Float32Array> {
    return this.#timed('runHead', () => this.inner.runHead(exit, hidden));
  }
  take(x: T, rows: Int32Array): Promise<T> {
    return this.#timed('take', () => this.inner.take(x, rows));
  }
  toHost(x: T): Promise<Float32Array> {
    return this.#timed('toHost', () => this.inner.toHost(x));
  }
  concat(parts: readonly T[]): Promise<T> {
    const join = this.inner.concat;
    if (!join) throw new ArgumentError({ field: 'inner.concat', expected: 'an engine with concat', received: 'none' });
    return this.#timed('concat', () => join.call(this.inner, parts));
  }
  dispose(x: T): void {
    this.inner.dispose(x);
  }
}

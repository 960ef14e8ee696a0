import { ArgumentError, EmptyBatchError } from './errors.js';
import type { Engine } from './engine.js';
import { decideAtExit, nextHistory } from './exit-step.js';
import { ExitResultBuilder } from './exit-result-builder.js';
import { validateInput } from './input.js';
import { takeRows } from './math.js';
import { needFlags } from './needs.js';
import type { ExitResult } from './result.js';
import { checkEngineCosts, type ExitPolicy } from './runner.js';
import { checkWholeNumber } from './shape.js';
import { type PendingRows, StageQueue } from './stage-queue.js';
import { resolveThresholds } from './thresholds.js';

/** One batch of a stream: `batch` samples, row-major. */
export interface StreamBatch {
  readonly input: Float32Array;
  readonly batch: number;
}

export interface PooledOptions {
  /**
   * A stage runs once at least this many rows wait for it (rows from several batches are pooled);
   * what is left waits until the stream ends and is then flushed stage by stage.
   */
  readonly minRows: number;
}

function isIterable(value: unknown): value is Iterable<StreamBatch> | AsyncIterable<StreamBatch> {
  if (value === null || typeof value !== 'object') return false;
  return Symbol.iterator in value || Symbol.asyncIterator in value;
}

/**
 * Real early exit over a stream of batches, with survivors pooled across batches: each stage keeps
 * a queue of the rows that reached it and runs only when at least `minRows` rows wait (or when the
 * stream has ended), so late stages see full batches instead of the few survivors of one batch.
 * Every row keeps its own history and previous features. Gates score row by row, so every sample's
 * exit and outputs are those of runEarlyExit and evaluateTrace; they come back in stream order.
 * The engine must implement `concat`.
 */
export async function runEarlyExitPooled<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  batches: Iterable<StreamBatch> | AsyncIterable<StreamBatch>,
  options: PooledOptions,
): Promise<ExitResult> {
  if (typeof engine.concat !== 'function') {
    throw new ArgumentError({
      field: 'engine.concat',
      expected: 'an engine that can stack batches (concat), to pool rows across batches',
      received: typeof engine.concat,
    });
  }
  checkWholeNumber(options?.minRows, 1, 'options.minRows');
  if (!isIterable(batches)) {
    throw new ArgumentError({
      field: 'batches',
      expected: 'an iterable or async iterable of { input, batch }',
      received: batches === null ? 'null' : typeof batches,
    });
  }
  checkEngineCosts(engine, policy.costs);
  const { exits, classes } = engine;
  const { minRows } = options;
  const thresholds = resolveThresholds(policy.gate, policy.thresholds, exits);
  const flags = needFlags(policy.gate);
  const resolved = { gate: policy.gate, flags, thresholds, costs: policy.costs };
  const out = new ExitResultBuilder(exits, classes, policy.costs);
  const queues = Array.from({ length: exits }, () => new StageQueue<T>());
  let inFlight: T | undefined;

  /** Runs stage `l` on one group of rows; the rows that stay go to the next stage's queue. */
  const runGroup = async (l: number, group: PendingRows<T>): Promise<void> => {
    inFlight = group.value;
    const h = await engine.runStage(l, group.value);
    engine.dispose(group.value);
    inFlight = h;
    const { logits, probs, predicted, leaving, hidden } = await decideAtExit(engine, resolved, l, h, group);
    const n = group.samples.length;
    const stay: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!leaving[i]) {
        stay.push(i);
        continue;
      }
      const row = (a: Float32Array) => a.subarray(i * classes, (i + 1) * classes);
      out.set(group.samples[i]!, l, predicted[i]!, row(probs), row(logits));
    }
    if (stay.length === 0) {
      engine.dispose(h);
      inFlight = undefined;
      return;
    }
    let value = h;
    let samples = group.samples;
    let keptHidden = hidden;
    if (stay.length < n) {
      const keep = Int32Array.from(stay);
      value = await engine.take(h, keep);
      engine.dispose(h);
      inFlight = value;
      samples = Int32Array.from(stay, (i) => group.samples[i]!);
      if (hidden) keptHidden = takeRows(hidden, hidden.length / n, keep);
    }
    queues[l + 1]!.push({
      value,
      samples,
      history: flags.history ? nextHistory(group.history, { exit: l, logits, probs }, stay, n, classes) : [],
      ...(flags.similarity && keptHidden ? { previousHidden: keptHidden } : {}),
    });
    inFlight = undefined;
  };

  /** Runs every stage whose queue holds enough rows (all of them when flushing), in stage order. */
  const advance = async (flush: boolean): Promise<void> => {
    for (let l = 0; l < exits; l++) {
      const queue = queues[l]!;
      if (queue.rows === 0 || (!flush && queue.rows < minRows)) continue;
      const group = await queue.drain(engine);
      if (group) await runGroup(l, group);
    }
  };

  try {
    let index = 0;
    for await (const item of batches) {
      const field = `batches[${index}]`;
      if (item === null || typeof item !== 'object') {
        throw new ArgumentError({ field, expected: '{ input, batch }', received: item === null ? 'null' : typeof item });
      }
      validateInput(item.input, item.batch, engine.inputShape, `${field}.input`);
      const first = out.add(item.batch);
      const value = await engine.fromHost(item.input, item.batch);
      queues[0]!.push({
        value,
        samples: Int32Array.from({ length: item.batch }, (_, i) => first + i),
        history: [],
        ...(flags.similarity ? { previousHidden: item.input.slice() } : {}),
      });
      await advance(false);
      index++;
    }
    if (index === 0) throw new EmptyBatchError('batches');
    await advance(true);
  } catch (error) {
    if (inFlight !== undefined) engine.dispose(inFlight);
    for (const queue of queues) queue.dispose(engine);
    throw error;
  }
  return out.build();
}

import { ArgumentError, EmptyBatchError } from './errors.js';
import type { Engine } from './engine.js';
import { ExitResultBuilder } from './exit-result-builder.js';
import { validateInput } from './input.js';
import type { ExitPolicy } from './policy.js';
import type { ExitResult } from './result.js';
import { checkWholeNumber } from './shape.js';
import { StageQueue } from './stage-queue.js';
import { checkPolicyFits, enterRows, recordLeavers, runStageStep } from './stage-step.js';

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
  checkPolicyFits(engine, policy);
  const { exits, classes } = engine;
  const { minRows } = options;
  const out = new ExitResultBuilder(exits, classes, policy.costs);
  const queues = Array.from({ length: exits }, () => new StageQueue<T>());

  /** Runs every stage whose queue holds enough rows (all of them when flushing), in stage order. */
  const advance = async (flush: boolean): Promise<void> => {
    for (let l = 0; l < exits; l++) {
      const queue = queues[l]!;
      if (queue.rows === 0 || (!flush && queue.rows < minRows)) continue;
      const group = await queue.drain(engine);
      if (!group) continue;
      const outcome = await runStageStep(engine, policy, l, group);
      recordLeavers(outcome, out);
      if (outcome.survivors) queues[l + 1]!.push(outcome.survivors);
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
      const input = policy.needs.similarity ? item.input.slice() : item.input;
      queues[0]!.push(await enterRows(engine, policy, input, item.batch, first));
      await advance(false);
      index++;
    }
    if (index === 0) throw new EmptyBatchError('batches');
    await advance(true);
  } catch (error) {
    for (const queue of queues) queue.dispose(engine);
    throw error;
  }
  return out.build();
}

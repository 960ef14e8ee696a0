import type { Engine } from './engine.js';
import { concatFloats } from './math.js';
import type { RowGroup } from './stage-step.js';


/**
 * The rows waiting for one stage, possibly from several batches. `drain` joins them into one group:
 * the engine values with `engine.concat`, and each row's history and previous features gathered
 * with it, so every row keeps its own extras.
 */
export class StageQueue<T> {
  #parts: RowGroup<T>[] = [];
  #rows = 0;

  /** Rows waiting. */
  get rows(): number {
    return this.#rows;
  }

  push(part: RowGroup<T>): void {
    this.#parts.push(part);
    this.#rows += part.samples.length;
  }

  /**
   * Every row waiting now as one group (the queue is then empty); undefined when nothing waits.
   * Rows pushed while the engine joins the group stay queued for the next drain.
   */
  async drain(engine: Engine<T>): Promise<RowGroup<T> | undefined> {
    const parts = this.#parts;
    if (parts.length === 0) return undefined;
    this.#clear();
    if (parts.length === 1) return parts[0]!;
    let value: T;
    try {
      value = await engine.concat!(parts.map((p) => p.value));
    } catch (error) {
      // Put the parts back in front, so that `dispose` still reaches them.
      const later = this.#parts;
      this.#parts = [...parts, ...later];
      this.#rows = this.#parts.reduce((a, p) => a + p.samples.length, 0);
      throw error;
    }
    for (const p of parts) engine.dispose(p.value);
    const history = parts[0]!.history.map((record, k) => ({
      exit: record.exit,
      logits: concatFloats(parts.map((p) => p.history[k]!.logits)),
      probs: concatFloats(parts.map((p) => p.history[k]!.probs)),
    }));
    const previous = parts.map((p) => p.previousHidden);
    return {
      value,
      samples: Int32Array.from(parts.flatMap((p) => Array.from(p.samples))),
      history,
      ...(previous.every((h): h is Float32Array => h !== undefined) ? { previousHidden: concatFloats(previous) } : {}),
    };
  }

  /** Disposes every waiting value (after an error). */
  dispose(engine: Engine<T>): void {
    for (const p of this.#parts) engine.dispose(p.value);
    this.#clear();
  }

  #clear(): void {
    this.#parts = [];
    this.#rows = 0;
  }
}

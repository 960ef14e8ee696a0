import type { ExitCosts } from './cost.js';
import type { ExitResult } from './result.js';

/**
 * Per-sample outputs of early exit, filled in any order as samples leave, for a number of samples
 * that grows as batches arrive; `build` returns them in sample order.
 */
export class ExitResultBuilder {
  readonly #classes: number;
  readonly #exits: number;
  readonly #costs: ExitCosts;
  #capacity = 0;
  #size = 0;
  #exit = new Int32Array(0);
  #prediction = new Int32Array(0);
  #probs = new Float32Array(0);
  #logits = new Float32Array(0);

  constructor(exits: number, classes: number, costs: ExitCosts) {
    this.#exits = exits;
    this.#classes = classes;
    this.#costs = costs;
  }

  /** Samples announced so far. */
  get size(): number {
    return this.#size;
  }

  /** Makes room for `count` more samples; returns the index of the first. */
  add(count: number): number {
    const first = this.#size;
    this.#size += count;
    if (this.#size > this.#capacity) {
      const capacity = Math.max(this.#size, 2 * this.#capacity);
      const c = this.#classes;
      this.#exit = grow(this.#exit, capacity, Int32Array);
      this.#prediction = grow(this.#prediction, capacity, Int32Array);
      this.#probs = grow(this.#probs, capacity * c, Float32Array);
      this.#logits = grow(this.#logits, capacity * c, Float32Array);
      this.#capacity = capacity;
    }
    return first;
  }

  /** Sample `sample` left at `exit` with this prediction and these rows of probabilities and logits. */
  set(sample: number, exit: number, prediction: number, probs: Float32Array, logits: Float32Array): void {
    this.#exit[sample] = exit;
    this.#prediction[sample] = prediction;
    this.#probs.set(probs, sample * this.#classes);
    this.#logits.set(logits, sample * this.#classes);
  }

  build(): ExitResult {
    const n = this.#size;
    const c = this.#classes;
    const exit = this.#exit.slice(0, n);
    return {
      batch: n,
      classes: c,
      exits: this.#exits,
      exit,
      prediction: this.#prediction.slice(0, n),
      probs: this.#probs.slice(0, n * c),
      logits: this.#logits.slice(0, n * c),
      cost: Float64Array.from(exit, (l) => this.#costs.normalized[l]!),
      macs: Float64Array.from(exit, (l) => this.#costs.cumulativeMacs[l]!),
    };
  }
}

function grow<A extends Int32Array | Float32Array>(
  values: A,
  length: number,
  make: new (length: number) => A,
): A {
  const out = new make(length);
  out.set(values);
  return out;
}

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
  #exit: Int32Array;
  #prediction: Int32Array;
  #probs: Float32Array;
  #logits: Float32Array;

  /** `capacity`: samples to make room for at once (a runner that knows its batch allocates once). */
  constructor(exits: number, classes: number, costs: ExitCosts, capacity = 0) {
    this.#exits = exits;
    this.#classes = classes;
    this.#costs = costs;
    this.#exit = new Int32Array(capacity);
    this.#prediction = new Int32Array(capacity);
    this.#probs = new Float32Array(capacity * classes);
    this.#logits = new Float32Array(capacity * classes);
    this.#capacity = capacity;
  }

  /** Samples announced so far. */
  get size(): number {
    return this.#size;
  }

  /** Makes room for `count` more samples; returns the index of the first. */
  add(count: number): number {
    const first = this.#size;
    this.#size += count;
    if (this.#size > this.#capacity) this.#allocate(Math.max(this.#size, 2 * this.#capacity));
    return first;
  }

  #allocate(capacity: number): void {
    const c = this.#classes;
    this.#exit = grow(this.#exit, capacity, Int32Array);
    this.#prediction = grow(this.#prediction, capacity, Int32Array);
    this.#probs = grow(this.#probs, capacity * c, Float32Array);
    this.#logits = grow(this.#logits, capacity * c, Float32Array);
    this.#capacity = capacity;
  }

  /** Sample `sample` left at `exit` with this prediction and row `row` of these probabilities and logits. */
  set(sample: number, exit: number, prediction: number, probs: Float32Array, logits: Float32Array, row = 0): void {
    this.#exit[sample] = exit;
    this.#prediction[sample] = prediction;
    const c = this.#classes;
    const to = sample * c;
    const from = row * c;
    const outProbs = this.#probs;
    const outLogits = this.#logits;
    for (let k = 0; k < c; k++) {
      outProbs[to + k] = probs[from + k]!;
      outLogits[to + k] = logits[from + k]!;
    }
  }

  /** The result, in sample order; the builder is done after this (its arrays are handed over when full). */
  build(): ExitResult {
    const n = this.#size;
    const c = this.#classes;
    const full = n === this.#capacity;
    const exit = full ? this.#exit : this.#exit.slice(0, n);
    const cost = new Float64Array(n);
    const macs = new Float64Array(n);
    const { normalized, cumulativeMacs } = this.#costs;
    for (let i = 0; i < n; i++) {
      cost[i] = normalized[exit[i]!]!;
      macs[i] = cumulativeMacs[exit[i]!]!;
    }
    return {
      batch: n,
      classes: c,
      exits: this.#exits,
      exit,
      prediction: full ? this.#prediction : this.#prediction.slice(0, n),
      probs: full ? this.#probs : this.#probs.slice(0, n * c),
      logits: full ? this.#logits : this.#logits.slice(0, n * c),
      cost,
      macs,
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

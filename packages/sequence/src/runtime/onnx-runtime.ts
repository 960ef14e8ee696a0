import { ArgumentError, softmaxRows } from '@offramp/core';
import {
  type LmGraphRange,
  type LmWeights,
  loadNodeRuntime,
  type OrtRuntime,
  type OrtSession,
  type OrtSessionOptions,
  type OrtTensor,
  readLmWeights,
  runSession,
  type TransformerLmSource,
  transformerLmGraph,
} from '@offramp/onnx';
import type { BatchFeed, Fed, LmBatch, LmRuntime } from './lm-runtime.js';

export interface OnnxLmRuntimeOptions {
  /** onnxruntime-node (the default) or onnxruntime-web. */
  readonly runtime?: OrtRuntime;
  /** Passed to every session (e.g. `{ intraOpNumThreads: 1 }`). */
  readonly sessionOptions?: OrtSessionOptions;
}

/** An LM on onnxruntime: one graph per range of layers it is asked to run, built from the weights on first use. */
export interface OnnxLmRuntime extends LmRuntime<Float32Array> {
  /** Builds and loads the graphs decoding with `draftLayers` uses (and plain decoding's), so no run pays for it. */
  prepare(draftLayers?: readonly number[]): Promise<void>;
  /** Releases every session. */
  release(): Promise<void>;
}

const rangeKey = (r: LmGraphRange) => `${r.from}-${r.to}-${r.embed}-${r.head}-${r.past}`;

/** One layer's keys or values on the host, [slots, rows, d], growing by doubling. */
class SlotStore {
  data: Float32Array;

  constructor(
    readonly rows: number,
    readonly d: number,
    capacity: number,
  ) {
    this.data = new Float32Array(capacity * rows * d);
  }

  /** Writes the new slots [rows, t, d] (a graph's output) after the first `slots`. */
  append(fresh: Float32Array, slots: number, t: number): void {
    const { rows, d } = this;
    const need = (slots + t) * rows * d;
    if (need > this.data.length) {
      const grown = new Float32Array(Math.max(need, this.data.length * 2));
      grown.set(this.data.subarray(0, slots * rows * d));
      this.data = grown;
    }
    if (rows === 1) {
      this.data.set(fresh, slots * d);
      return;
    }
    for (let b = 0; b < rows; b++) {
      for (let j = 0; j < t; j++) this.data.set(fresh.subarray((b * t + j) * d, (b * t + j + 1) * d), ((slots + j) * rows + b) * d);
    }
  }
}

class OnnxBatch implements LmBatch<Float32Array> {
  readonly #keys: SlotStore[];
  readonly #values: SlotStore[];
  readonly #slots: number[];
  readonly #d: number;

  constructor(
    readonly owner: OnnxLm,
    readonly rows: number,
  ) {
    const { layers, context } = owner;
    this.#d = owner.weights.source.dModel;
    this.#keys = Array.from({ length: layers }, () => new SlotStore(rows, this.#d, context));
    this.#values = Array.from({ length: layers }, () => new SlotStore(rows, this.#d, context));
    this.#slots = Array.from({ length: layers }, () => 0);
  }

  slotsAt(layer: number): number {
    return this.#slots[layer]!;
  }

  async #run(range: LmGraphRange, first: Record<string, OrtTensor>, t: number, mask: Float32Array, outputs: string[]) {
    const { Tensor } = this.owner.ort;
    const d = this.#d;
    const slots = this.#slots[range.from]!;
    if (mask.length !== this.rows * t * (slots + t)) {
      throw new ArgumentError({ field: 'mask.length', expected: `${this.rows * t * (slots + t)} ([${this.rows}, 1, ${t}, ${slots + t}])`, received: String(mask.length) });
    }
    const feeds: Record<string, OrtTensor> = { ...first, mask: new Tensor('float32', mask, [this.rows, 1, t, slots + t]) };
    for (let l = range.from; l < range.to; l++) {
      if (this.#slots[l] !== slots) {
        throw new ArgumentError({ field: `cache of layer ${l}`, expected: `${slots} slots (as layer ${range.from})`, received: String(this.#slots[l]) });
      }
      if (range.past) {
        const size = slots * this.rows * d;
        feeds[`past_keys_${l}`] = new Tensor('float32', this.#keys[l]!.data.subarray(0, size), [slots, this.rows, d]);
        feeds[`past_values_${l}`] = new Tensor('float32', this.#values[l]!.data.subarray(0, size), [slots, this.rows, d]);
      }
    }
    const fetches = [...outputs];
    for (let l = range.from; l < range.to; l++) fetches.push(`keys_${l}`, `values_${l}`);
    const session = await this.owner.session(range);
    const out = await runSession(session, feeds, fetches, `layers ${range.from}-${range.to} of the LM`);
    for (let l = range.from; l < range.to; l++) {
      this.#keys[l]!.append(out[`keys_${l}`]!.data as Float32Array, slots, t);
      this.#values[l]!.append(out[`values_${l}`]!.data as Float32Array, slots, t);
      this.#slots[l] = slots + t;
    }
    return out;
  }

  #probs(logits: Float32Array): Float32Array[] {
    const v = this.owner.vocabSize;
    const probs = softmaxRows(logits, v);
    return Array.from({ length: logits.length / v }, (_, i) => probs.subarray(i * v, (i + 1) * v));
  }

  async feed(feed: BatchFeed, to: number, mask: Float32Array, probs: boolean): Promise<Fed<Float32Array>> {
    const { Tensor } = this.owner.ort;
    const { t, starts } = feed;
    const range: LmGraphRange = { from: 0, to, embed: true, head: probs, past: this.#slots[0]! > 0 };
    const ids = new Tensor('float32', Float32Array.from(feed.tokens), [this.rows, t]);
    const positions = new Tensor('float32', Float32Array.from({ length: this.rows * t }, (_, i) => starts[Math.floor(i / t)]! + (i % t)), [this.rows, t]);
    const out = await this.#run(range, { tokens: ids, positions }, t, mask, probs ? ['hidden_out', 'logits'] : ['hidden_out']);
    const hidden = out.hidden_out!.data as Float32Array;
    return probs ? { hidden, probs: this.#probs(out.logits!.data as Float32Array) } : { hidden };
  }

  async finish(hidden: readonly Float32Array[], from: number, mask: Float32Array): Promise<Float32Array[]> {
    const { rows } = this;
    const d = this.#d;
    const widths = hidden.map((h) => h.length / (rows * d));
    const t = widths.reduce((s, w) => s + w, 0);
    // Consecutive feeds [rows, t_i, d] side by side along time: [rows, t, d].
    const stacked = new Float32Array(rows * t * d);
    for (let b = 0; b < rows; b++) {
      let at = b * t * d;
      hidden.forEach((h, i) => {
        const width = widths[i]! * d;
        stacked.set(h.subarray(b * width, (b + 1) * width), at);
        at += width;
      });
    }
    const range: LmGraphRange = { from, to: this.owner.layers, embed: false, head: true, past: this.#slots[from]! > 0 };
    const out = await this.#run(range, { hidden: new this.owner.ort.Tensor('float32', stacked, [rows, t, d]) }, t, mask, ['logits']);
    return this.#probs(out.logits!.data as Float32Array);
  }

  truncate(slots: number): void {
    for (let l = 0; l < this.#slots.length; l++) this.#slots[l] = Math.min(this.#slots[l]!, slots);
  }

  release(): void {}

  async snapshot() {
    const size = (l: number) => this.#slots[l]! * this.rows * this.#d;
    return this.#slots.map((length, l) => ({
      keys: this.#keys[l]!.data.slice(0, size(l)),
      values: this.#values[l]!.data.slice(0, size(l)),
      length,
    }));
  }

  dispose(): void {}
}

class OnnxLm implements OnnxLmRuntime {
  readonly layers: number;
  readonly vocabSize: number;
  readonly context: number;
  readonly #sessions = new Map<string, Promise<OrtSession>>();

  constructor(
    readonly weights: LmWeights,
    readonly ort: OrtRuntime,
    readonly sessionOptions: OrtSessionOptions,
  ) {
    ({ layers: this.layers, vocabSize: this.vocabSize, context: this.context } = weights.source);
  }

  session(range: LmGraphRange): Promise<OrtSession> {
    const key = rangeKey(range);
    let session = this.#sessions.get(key);
    if (!session) {
      session = this.ort.InferenceSession.create(transformerLmGraph(this.weights, range), this.sessionOptions);
      this.#sessions.set(key, session);
    }
    return session;
  }

  openBatch(rows: number): LmBatch<Float32Array> {
    if (!Number.isInteger(rows) || rows < 1) throw new ArgumentError({ field: 'rows', expected: 'a whole number >= 1', received: String(rows) });
    return new OnnxBatch(this, rows);
  }

  async prepare(draftLayers: readonly number[] = []): Promise<void> {
    const L = this.layers;
    const ranges: LmGraphRange[] = [
      { from: 0, to: L, embed: true, head: true, past: false },
      { from: 0, to: L, embed: true, head: true, past: true },
    ];
    for (const d of draftLayers) {
      for (const head of [true, false]) ranges.push({ from: 0, to: d, embed: true, head, past: true });
      ranges.push({ from: d, to: L, embed: false, head: true, past: true });
    }
    await Promise.all(ranges.map((r) => this.session(r)));
  }

  async release(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s).release()));
  }
}

/**
 * The LM on onnxruntime (Node by default): its weights are read once, and each range of layers a decoder runs
 * becomes one graph (see `transformerLmGraph` of @offramp/onnx) with the key/value cache as inputs and outputs,
 * so a draft step or a verification is one session call. The cache stays on the host, slots first.
 */
export async function createOnnxLmRuntime(lm: TransformerLmSource, options: OnnxLmRuntimeOptions = {}): Promise<OnnxLmRuntime> {
  const ort = options.runtime ?? (await loadNodeRuntime());
  return new OnnxLm(await readLmWeights(lm), ort, options.sessionOptions ?? {});
}

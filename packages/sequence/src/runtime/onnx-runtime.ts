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
import { causalMask } from './causal-mask.js';
import type { Fed, LmRuntime, LmSequence } from './lm-runtime.js';

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

class OnnxSequence implements LmSequence<Float32Array> {
  readonly #keys: Float32Array[];
  readonly #values: Float32Array[];
  readonly #lengths: number[];

  constructor(
    readonly owner: OnnxLm,
    readonly dModel: number,
  ) {
    const { layers, context } = owner;
    this.#keys = Array.from({ length: layers }, () => new Float32Array(context * dModel));
    this.#values = Array.from({ length: layers }, () => new Float32Array(context * dModel));
    this.#lengths = Array.from({ length: layers }, () => 0);
  }

  async #run(range: LmGraphRange, first: Record<string, OrtTensor>, fresh: number, past: number, outputs: string[]) {
    const { Tensor } = this.owner.ort;
    const d = this.dModel;
    const feeds: Record<string, OrtTensor> = { ...first, mask: new Tensor('float32', causalMask(past, fresh), [1, 1, fresh, past + fresh]) };
    for (let l = range.from; l < range.to; l++) {
      if (this.#lengths[l] !== past) {
        throw new ArgumentError({ field: `cache of layer ${l}`, expected: `${past} positions (where the pass starts)`, received: String(this.#lengths[l]) });
      }
      if (range.past) {
        feeds[`past_keys_${l}`] = new Tensor('float32', this.#keys[l]!.subarray(0, past * d), [1, past, d]);
        feeds[`past_values_${l}`] = new Tensor('float32', this.#values[l]!.subarray(0, past * d), [1, past, d]);
      }
    }
    const fetches = [...outputs];
    for (let l = range.from; l < range.to; l++) fetches.push(`keys_${l}`, `values_${l}`);
    const session = await this.owner.session(range);
    const out = await runSession(session, feeds, fetches, `layers ${range.from}-${range.to} of the LM`);
    for (let l = range.from; l < range.to; l++) {
      this.#keys[l]!.set(out[`keys_${l}`]!.data as Float32Array, past * d);
      this.#values[l]!.set(out[`values_${l}`]!.data as Float32Array, past * d);
      this.#lengths[l] = past + fresh;
    }
    return out;
  }

  async feed(tokens: readonly number[], position: number, to: number, probs: boolean): Promise<Fed<Float32Array>> {
    const { Tensor } = this.owner.ort;
    const t = tokens.length;
    const range: LmGraphRange = { from: 0, to, embed: true, head: probs, past: position > 0 };
    const ids = new Tensor('float32', Float32Array.from(tokens), [1, t]);
    const positions = new Tensor('float32', Float32Array.from({ length: t }, (_, i) => position + i), [1, t]);
    const out = await this.#run(range, { tokens: ids, positions }, t, position, probs ? ['hidden_out', 'logits'] : ['hidden_out']);
    const hidden = out.hidden_out!.data as Float32Array;
    if (!probs) return { hidden };
    const v = this.owner.vocabSize;
    const logits = out.logits!.data as Float32Array;
    return { hidden, probs: softmaxRows(logits.subarray((t - 1) * v, t * v), v) };
  }

  async finish(hidden: readonly Float32Array[], from: number): Promise<Float32Array[]> {
    const d = this.dModel;
    const t = hidden.reduce((s, h) => s + h.length / d, 0);
    const stacked = new Float32Array(t * d);
    let at = 0;
    for (const h of hidden) {
      stacked.set(h, at);
      at += h.length;
    }
    const past = this.#lengths[from]!;
    const range: LmGraphRange = { from, to: this.owner.layers, embed: false, head: true, past: past > 0 };
    const out = await this.#run(range, { hidden: new this.owner.ort.Tensor('float32', stacked, [1, t, d]) }, t, past, ['logits']);
    const v = this.owner.vocabSize;
    const probs = softmaxRows(out.logits!.data as Float32Array, v);
    return Array.from({ length: t }, (_, i) => probs.subarray(i * v, (i + 1) * v));
  }

  truncate(length: number): void {
    for (let l = 0; l < this.#lengths.length; l++) this.#lengths[l] = Math.min(this.#lengths[l]!, length);
  }

  release(): void {}

  async snapshot() {
    const d = this.dModel;
    return this.#lengths.map((length, l) => ({
      keys: this.#keys[l]!.slice(0, length * d),
      values: this.#values[l]!.slice(0, length * d),
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

  open(): LmSequence<Float32Array> {
    return new OnnxSequence(this, this.weights.source.dModel);
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
 * so a draft step or a verification is one session call. The cache stays on the host, positions first.
 */
export async function createOnnxLmRuntime(lm: TransformerLmSource, options: OnnxLmRuntimeOptions = {}): Promise<OnnxLmRuntime> {
  const ort = options.runtime ?? (await loadNodeRuntime());
  return new OnnxLm(await readLmWeights(lm), ort, options.sessionOptions ?? {});
}

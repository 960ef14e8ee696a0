import { ArgumentError, argmaxRows, cosineRows, type Gate } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { copiedStateCount } from './copied-states.js';
import { checkSimilarityGate, scoreSimilarity } from './similarity-scores.js';
import type { TwoStreamModel } from './two-stream-model.js';

/** Memory of n samples on the host: n x memoryLength x d (from `buildMemory`) and the 0/1 real-text mask. */
export interface HostMemory {
  readonly n: number;
  readonly states: Float32Array;
  /** n x textLength: 1 for a real text token, 0 for padding. */
  readonly textReal: Float32Array;
}

export interface DecodeOptions {
  /** Decoding steps at most (<= the model's steps). */
  readonly steps: number;
  /** Token that starts every sequence. */
  readonly bos: number;
  /** Token that ends a sequence (decoding of that sample stops after it); none when omitted. */
  readonly eos?: number;
  /** The exit rule; without one every step runs every layer and no similarity is computed (the plain model). */
  readonly gate?: Gate;
  /** The similarity threshold at each step (e.g. decoderThresholdSchedule); needed with a gate. */
  readonly thresholds?: ArrayLike<number>;
  /**
   * 'real': one sample at a time, layers after the exit are really skipped (the copied state's keys and values of
   * a skipped layer are computed when a later step first runs that layer, all pending positions at once).
   * 'masked': the whole batch runs every layer and the exits are applied by masking, which gives the same
   * tokens, exits and MACs without the saving (for threshold search). Default 'real'.
   */
  readonly mode?: 'real' | 'masked';
  /** Samples per batch in 'masked' mode. Default 256. */
  readonly batchSize?: number;
}

export interface DecodeResult {
  readonly n: number;
  readonly steps: number;
  /** n x steps greedy tokens (the eos token included; -1 after it). */
  readonly tokens: Int32Array;
  /** n x steps decoder layer (0-based) of each step's exit; -1 after the end. */
  readonly exits: Int32Array;
  /** n x vocab logits of the first step (the answer of a one-step task). */
  readonly firstLogits: Float32Array;
  /** MACs per sample of the decoder: memory keys and values, layers, similarity checks, copied states, head. */
  readonly macs: Float64Array;
}

function checkOptions(model: TwoStreamModel, memory: HostMemory, options: DecodeOptions): void {
  if (options.gate) checkSimilarityGate(options.gate);
  if (!Number.isInteger(options.steps) || options.steps < 1 || options.steps > model.options.steps) {
    throw new ArgumentError({
      field: 'steps',
      expected: `a whole number in [1, ${model.options.steps}]`,
      received: String(options.steps),
    });
  }
  if (options.gate && (options.thresholds?.length ?? 0) < options.steps) {
    throw new ArgumentError({
      field: 'thresholds',
      expected: `at least ${options.steps} thresholds (one per step)`,
      received: `${options.thresholds?.length ?? 0}`,
    });
  }
  const size = model.memoryLength * model.options.dModel;
  if (memory.states.length !== memory.n * size || memory.textReal.length !== memory.n * model.options.textLength) {
    throw new ArgumentError({
      field: 'memory',
      expected: `${memory.n} x ${model.memoryLength} x ${model.options.dModel} states and ${memory.n} x ${model.options.textLength} text flags`,
      received: `${memory.states.length} states and ${memory.textReal.length} flags`,
    });
  }
}

/** Memory tensors of rows [from, to). */
function memoryTensors(model: TwoStreamModel, memory: HostMemory, from: number, to: number): { states: tf.Tensor; mask: tf.Tensor } {
  const size = model.memoryLength * model.options.dModel;
  const t = model.options.textLength;
  return tf.tidy(() => {
    const states = tf.tensor3d(memory.states.subarray(from * size, to * size), [to - from, model.memoryLength, model.options.dModel]);
    const real = tf.tensor2d(memory.textReal.subarray(from * t, to * t), [to - from, t]);
    return { states, mask: model.memoryMask(real) };
  });
}

/** MACs of one step that left at `exit` with `keys` self positions (as in the real decoder; copied states apart). */
function stepMacs(model: TwoStreamModel, exit: number, keys: number, checks: boolean): number {
  const layers = model.options.decoderLayers;
  const m = model.macs;
  return (
    (exit + 1) * m.decoderLayer(keys, model.memoryLength) +
    (checks ? Math.min(exit + 1, layers - 1) * m.similarity(model.options.dModel) : 0) +
    m.head
  );
}

interface Cache {
  keys: tf.Tensor;
  values: tf.Tensor;
}

function replaceCache(caches: (Cache | undefined)[], l: number, next: Cache): void {
  const old = caches[l];
  caches[l] = { keys: tf.keep(next.keys), values: tf.keep(next.values) };
  if (old) {
    old.keys.dispose();
    old.values.dispose();
  }
}

/** Appends the keys and values of layer l's pending copied states (one batched call) to its cache. */
function flushCopied(model: TwoStreamModel, caches: (Cache | undefined)[], pending: tf.Tensor[][], l: number): void {
  const states = pending[l]!;
  tf.tidy(() => {
    const kv = model.decoderKeysValues(l, states.length === 1 ? states[0]! : tf.concat(states, 1));
    const old = caches[l];
    replaceCache(caches, l, old ? { keys: tf.concat([old.keys, kv.keys], 2), values: tf.concat([old.values, kv.values], 2) } : kv);
  });
  tf.dispose(states);
  pending[l] = [];
}

/** Real early exit for one sample (row `row` of the memory). */
async function decodeOne(model: TwoStreamModel, memory: HostMemory, row: number, options: DecodeOptions, out: DecodeResult): Promise<void> {
  const { gate } = options;
  const thresholds = options.thresholds ?? [];
  const layers = model.options.decoderLayers;
  const vocab = model.options.vocabSize;
  const { states, mask } = memoryTensors(model, memory, row, row + 1);
  const cross: (Cache | undefined)[] = new Array(layers).fill(undefined);
  const caches: (Cache | undefined)[] = new Array(layers).fill(undefined);
  // per layer: exited states of earlier steps that skipped it, waiting for a later step to run it
  const pending: tf.Tensor[][] = Array.from({ length: layers }, () => []);
  let macs = 0;
  let token = options.bos;
  try {
    for (let t = 0; t < options.steps; t++) {
      let x = tf.tidy(() => model.embedDecoder(tf.tensor2d([[token]], [1, 1], 'int32'), t));
      let previous = gate ? ((await x.data()) as Float32Array) : new Float32Array(0);
      let exit = layers - 1;
      for (let l = 0; l < layers; l++) {
        if (!cross[l]) {
          cross[l] = tf.tidy(() => model.memoryKeysValues(l, states));
          macs += model.macs.memoryKeysValues(model.memoryLength);
        }
        if (pending[l]!.length > 0) {
          macs += pending[l]!.length * model.macs.copiedKeysValues;
          flushCopied(model, caches, pending, l);
        }
        const input = x;
        const output = tf.tidy(() => {
          const step = model.decoderLayer(l, input, cross[l]!, mask, caches[l]);
          replaceCache(caches, l, step);
          return step.output;
        });
        input.dispose();
        x = output;
        if (l === layers - 1 || !gate) continue;
        const hidden = (await output.data()) as Float32Array;
        const score = scoreSimilarity(gate, l, layers, cosineRows(hidden, previous, hidden.length))[0]!;
        if (score >= thresholds[t]!) {
          exit = l;
          break;
        }
        previous = hidden;
      }
      for (let l = exit + 1; l < layers; l++) pending[l]!.push(tf.clone(x));
      const state = x;
      const logitsTensor = tf.tidy(() => tf.reshape(model.head(state), [vocab]));
      x.dispose();
      const logits = (await logitsTensor.data()) as Float32Array;
      logitsTensor.dispose();
      if (t === 0) out.firstLogits.set(logits, row * vocab);
      token = argmaxRows(logits, vocab)[0]!;
      out.tokens[row * options.steps + t] = token;
      out.exits[row * options.steps + t] = exit;
      macs += stepMacs(model, exit, t + 1, gate !== undefined);
      if (options.eos !== undefined && token === options.eos) break;
    }
  } finally {
    for (const c of [...cross, ...caches]) {
      c?.keys.dispose();
      c?.values.dispose();
    }
    for (const waiting of pending) tf.dispose(waiting);
    states.dispose();
    mask.dispose();
  }
  out.macs[row] = macs;
}

/** Every layer for a batch, exits applied by masking (same results as decodeOne, without the saving). */
async function decodeMasked(model: TwoStreamModel, memory: HostMemory, from: number, to: number, options: DecodeOptions, out: DecodeResult): Promise<void> {
  const { gate } = options;
  const thresholds = options.thresholds ?? [];
  const layers = model.options.decoderLayers;
  const vocab = model.options.vocabSize;
  const d = model.options.dModel;
  const b = to - from;
  const { states, mask } = memoryTensors(model, memory, from, to);
  const cross = Array.from({ length: layers }, (_, l) => tf.tidy(() => model.memoryKeysValues(l, states)));
  const caches: (Cache | undefined)[] = new Array(layers).fill(undefined);
  const deepest = new Int32Array(b).fill(-1);
  const finished = new Uint8Array(b);
  let tokens: Int32Array = new Int32Array(b).fill(options.bos);
  try {
    for (let t = 0; t < options.steps; t++) {
      const current = tokens;
      let x = tf.tidy(() => model.embedDecoder(tf.tensor2d(current, [b, 1], 'int32'), t));
      let previous = gate ? ((await x.data()) as Float32Array) : new Float32Array(0);
      const exit = new Int32Array(b).fill(layers - 1);
      const exited = new Uint8Array(b);
      for (let l = 0; l < layers; l++) {
        const input = x;
        const frozen = Float32Array.from(exited);
        const output = tf.tidy(() => {
          const step = model.decoderLayer(l, input, cross[l]!, mask, caches[l]);
          replaceCache(caches, l, step);
          const keepOld = tf.reshape(tf.tensor1d(frozen), [b, 1, 1]);
          return tf.add(tf.mul(keepOld, input), tf.mul(tf.sub(1, keepOld), step.output));
        });
        input.dispose();
        x = output;
        if (l === layers - 1 || !gate) continue;
        const hidden = (await output.data()) as Float32Array;
        const scores = scoreSimilarity(gate, l, layers, cosineRows(hidden, previous, d));
        for (let i = 0; i < b; i++) {
          if (!exited[i] && scores[i]! >= thresholds[t]!) {
            exited[i] = 1;
            exit[i] = l;
          }
        }
        previous = hidden;
      }
      const state = x;
      const logitsTensor = tf.tidy(() => tf.reshape(model.head(state), [b, vocab]));
      x.dispose();
      const logits = (await logitsTensor.data()) as Float32Array;
      logitsTensor.dispose();
      const next = argmaxRows(logits, vocab);
      for (let i = 0; i < b; i++) {
        if (finished[i]) continue;
        const row = from + i;
        if (t === 0) out.firstLogits.set(logits.subarray(i * vocab, (i + 1) * vocab), row * vocab);
        out.tokens[row * options.steps + t] = next[i]!;
        out.exits[row * options.steps + t] = exit[i]!;
        out.macs[row]! += stepMacs(model, exit[i]!, t + 1, gate !== undefined);
        deepest[i] = Math.max(deepest[i]!, exit[i]!);
        if (options.eos !== undefined && next[i] === options.eos) finished[i] = 1;
      }
      tokens = next;
      if (finished.every((f) => f === 1)) break;
    }
    for (let i = 0; i < b; i++) {
      const row = from + i;
      const copied = copiedStateCount(out.exits.subarray(row * options.steps, (row + 1) * options.steps));
      out.macs[row]! += (deepest[i]! + 1) * model.macs.memoryKeysValues(model.memoryLength) + copied * model.macs.copiedKeysValues;
    }
  } finally {
    for (const c of [...cross, ...caches]) {
      c?.keys.dispose();
      c?.values.dispose();
    }
    states.dispose();
    mask.dispose();
  }
}

/**
 * Greedy token-by-token decoding with a similarity exit at every decoder layer of every step: after layer l the
 * gate scores cos(h_l, h_{l-1}) of the current position (h_{-1} = its embedding) and the step leaves when
 * score >= thresholds[step], with layer l's state going through the shared head. Deeper layers get the copied
 * state's keys and values, so later steps can attend to it; they are made when a later step first runs such a
 * layer (see copiedStateCount), which gives the same result as making them at once.
 */
export async function decodeWithExits(model: TwoStreamModel, memory: HostMemory, options: DecodeOptions): Promise<DecodeResult> {
  checkOptions(model, memory, options);
  const n = memory.n;
  const out: DecodeResult = {
    n,
    steps: options.steps,
    tokens: new Int32Array(n * options.steps).fill(-1),
    exits: new Int32Array(n * options.steps).fill(-1),
    firstLogits: new Float32Array(n * model.options.vocabSize),
    macs: new Float64Array(n),
  };
  if ((options.mode ?? 'real') === 'real') {
    for (let i = 0; i < n; i++) await decodeOne(model, memory, i, options, out);
  } else {
    const batchSize = options.batchSize ?? 256;
    for (let from = 0; from < n; from += batchSize) await decodeMasked(model, memory, from, Math.min(n, from + batchSize), options, out);
  }
  return out;
}

/** The memory LN([image; text]) of stream outputs, on the host (in batches). */
export function buildMemory(
  model: TwoStreamModel,
  image: { readonly n: number; readonly states: Float32Array },
  text: { readonly n: number; readonly states: Float32Array },
  textReal: Float32Array,
  batchSize = 512,
): HostMemory {
  const n = image.n;
  const d = model.options.dModel;
  const p = model.patches;
  const t = model.options.textLength;
  if (text.n !== n || image.states.length !== n * p * d || text.states.length !== n * t * d || textReal.length !== n * t) {
    throw new ArgumentError({
      field: 'text',
      expected: `${n} samples of ${p} image and ${t} text positions`,
      received: `${text.n} texts, ${image.states.length} image and ${text.states.length} text values`,
    });
  }
  const states = new Float32Array(n * model.memoryLength * d);
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    const values = tf.tidy(() => {
      const img = tf.tensor3d(image.states.subarray(from * p * d, to * p * d), [to - from, p, d]);
      const txt = tf.tensor3d(text.states.subarray(from * t * d, to * t * d), [to - from, t, d]);
      return model.memory(img, txt);
    });
    states.set(values.dataSync(), from * model.memoryLength * d);
    values.dispose();
  }
  return { n, states, textReal };
}

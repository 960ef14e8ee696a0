import type { ExitCosts } from './cost.js';
import { ArgumentError } from './errors.js';
import type { Engine } from './engine.js';
import type { Gate } from './gate.js';
import { validateInput } from './input.js';
import { leaves } from './exit-step.js';
import { argmaxRows, concatFloats, shapeSize, softmaxRows } from './math.js';
import { needFlags, scoreSignal, similarityRows } from './needs.js';
import type { ExitResult } from './result.js';
import type { ExitRecord } from './signal.js';
import { resolveThresholds } from './thresholds.js';

/** Every exit's outputs over a data set, from running all stages and heads once. */
export interface Trace {
  readonly n: number;
  readonly exits: number;
  readonly classes: number;
  /** Per exit: n x classes logits. */
  readonly logits: readonly Float32Array[];
  /** Per exit: n x classes probabilities (softmax of the logits). */
  readonly probs: readonly Float32Array[];
  /** Per exit: n x hiddenSizes[l] features, when collected with `hidden: true`. */
  readonly hidden?: readonly Float32Array[];
  /** Per exit: cos(h_l, h_{l-1}) per sample (h_{-1} = the input), when collected with `similarity`. */
  readonly similarity?: readonly Float32Array[];
  readonly hiddenSizes?: readonly number[];
}

export interface TraceOptions {
  /** Samples per engine call. Default 256. */
  readonly batchSize?: number;
  /** Keep every stage's features (memory: n x features per exit). */
  readonly hidden?: boolean;
  /** Keep the per-sample cosine between consecutive hidden states. */
  readonly similarity?: boolean;
  /** Called after each batch with the samples done so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Runs every stage and head over `input` (n samples) in batches and keeps each exit's outputs. */
export async function collectTrace<T>(
  engine: Engine<T>,
  input: Float32Array,
  n: number,
  options: TraceOptions = {},
): Promise<Trace> {
  validateInput(input, n, engine.inputShape);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ArgumentError({ field: 'batchSize', expected: 'a whole number >= 1', received: String(batchSize) });
  }
  const { exits, classes } = engine;
  const perSample = shapeSize(engine.inputShape);
  const logits = Array.from({ length: exits }, () => new Float32Array(n * classes));
  const hiddenParts: Float32Array[][] = Array.from({ length: exits }, () => []);
  const similarity = options.similarity
    ? Array.from({ length: exits }, () => new Float32Array(n))
    : undefined;
  const hiddenSizes = new Array<number>(exits).fill(0);

  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const chunk = input.subarray(start * perSample, (start + count) * perSample);
    let x = await engine.fromHost(chunk, count);
    let previous: Float32Array | undefined = chunk;
    for (let l = 0; l < exits; l++) {
      const h = await engine.runStage(l, x);
      engine.dispose(x);
      logits[l]!.set(await engine.runHead(l, h), start * classes);
      if (options.hidden || options.similarity) {
        const host = await engine.toHost(h);
        hiddenSizes[l] = host.length / count;
        if (options.hidden) hiddenParts[l]!.push(host);
        if (similarity) {
          similarity[l]!.set(similarityRows(host, previous, count), start);
        }
        previous = host;
      }
      x = h;
    }
    engine.dispose(x);
    options.onProgress?.(start + count, n);
  }
  const probs = logits.map((z) => softmaxRows(z, classes));
  return {
    n,
    exits,
    classes,
    logits,
    probs,
    ...(options.hidden ? { hidden: hiddenParts.map(concatFloats) } : {}),
    ...(similarity ? { similarity } : {}),
    ...(options.hidden || options.similarity ? { hiddenSizes } : {}),
  };
}


/**
 * The gate's score for every sample at every gated exit (exits - 1 arrays of n), computed as if
 * every sample reached every exit. Threshold sweeps reuse these scores.
 */
export function scoreTrace(trace: Trace, gate: Gate, costs: ExitCosts): Float32Array[] {
  const flags = needFlags(gate);
  if (flags.hidden && !trace.hidden) {
    throw new ArgumentError({
      field: 'trace.hidden',
      expected: `hidden states (gate ${JSON.stringify(gate.name)} needs them): collect with { hidden: true }`,
      received: 'none',
    });
  }
  if (flags.similarity && !trace.similarity) {
    throw new ArgumentError({
      field: 'trace.similarity',
      expected: `similarities (gate ${JSON.stringify(gate.name)} needs them): collect with { similarity: true }`,
      received: 'none',
    });
  }
  const scores: Float32Array[] = [];
  const history: ExitRecord[] = [];
  for (let l = 0; l < trace.exits - 1; l++) {
    const signal = {
      exit: l,
      exits: trace.exits,
      batch: trace.n,
      classes: trace.classes,
      logits: trace.logits[l]!,
      probs: trace.probs[l]!,
      cost: costs.normalized[l]!,
      ...(flags.hidden ? { hidden: trace.hidden![l]!, hiddenSize: trace.hiddenSizes![l]! } : {}),
      ...(flags.similarity ? { similarity: trace.similarity![l]! } : {}),
      ...(flags.history ? { history: [...history] } : {}),
    };
    scores.push(scoreSignal(gate, signal));
    history.push({ exit: l, logits: trace.logits[l]!, probs: trace.probs[l]! });
  }
  return scores;
}

/** Exit per sample: the first gated exit whose score reaches its threshold, else the last exit. */
export function exitsFromScores(
  scores: readonly Float32Array[],
  thresholds: ArrayLike<number>,
  n: number,
): Int32Array {
  const last = scores.length;
  const exit = new Int32Array(n).fill(last);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < last; l++) {
      if (leaves(scores[l]![i]!, thresholds[l]!)) {
        exit[i] = l;
        break;
      }
    }
  }
  return exit;
}

/** Gathers each sample's outputs at its exit from the trace. */
export function resultFromExits(trace: Trace, exit: Int32Array, costs: ExitCosts): ExitResult {
  const { n, classes, exits } = trace;
  const probs = new Float32Array(n * classes);
  const logits = new Float32Array(n * classes);
  const cost = new Float64Array(n);
  const macs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const l = exit[i]!;
    probs.set(trace.probs[l]!.subarray(i * classes, (i + 1) * classes), i * classes);
    logits.set(trace.logits[l]!.subarray(i * classes, (i + 1) * classes), i * classes);
    cost[i] = costs.normalized[l]!;
    macs[i] = costs.cumulativeMacs[l]!;
  }
  return { batch: n, classes, exits, exit, prediction: argmaxRows(probs, classes), probs, logits, cost, macs };
}

/** Trace evaluation: what real early exit with this gate and these thresholds would return. */
export function evaluateTrace(
  trace: Trace,
  gate: Gate,
  thresholds: number | ArrayLike<number>,
  costs: ExitCosts,
): ExitResult {
  if (costs.exits !== trace.exits) {
    throw new ArgumentError({ field: 'costs.exits', expected: String(trace.exits), received: String(costs.exits) });
  }
  const resolved = resolveThresholds(gate, thresholds, trace.exits);
  const exit = exitsFromScores(scoreTrace(trace, gate, costs), resolved, trace.n);
  return resultFromExits(trace, exit, costs);
}

/** The oracle policy: the first exit whose prediction is correct, else the last exit. */
export function oracleExits(trace: Trace, labels: Int32Array): Int32Array {
  if (labels.length !== trace.n) {
    throw new ArgumentError({ field: 'labels.length', expected: String(trace.n), received: String(labels.length) });
  }
  const predictions = trace.probs.map((p) => argmaxRows(p, trace.classes));
  const exit = new Int32Array(trace.n).fill(trace.exits - 1);
  for (let i = 0; i < trace.n; i++) {
    for (let l = 0; l < trace.exits; l++) {
      if (predictions[l]![i] === labels[i]) {
        exit[i] = l;
        break;
      }
    }
  }
  return exit;
}

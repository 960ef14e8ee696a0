import { ArgumentError, type Engine, InputShapeError, shapeSize, validateInput } from '@offramp/core';
import type { OnnxBundle } from './bundle.js';
import type { OnnxManifest } from './manifest.js';
import { checkManifest } from './manifest.js';
import { OnnxModelError } from './errors.js';
import { runSession } from './run-session.js';
import { type FeatureLayout, type FeatureSpec, nchwToNhwc } from './feature.js';
import type { OrtRuntime, OrtSession, OrtSessionOptions, OrtTensor, OrtValueMetadata } from './runtime.js';

/** A batch inside the engine: the runtime tensor, and the logits when a fused graph made both. */
export interface OnnxValue {
  readonly tensor: OrtTensor;
  readonly batch: number;
  /** Per-sample shape of `tensor` in graph layout. */
  readonly shape: readonly number[];
  readonly layout: FeatureLayout;
  /** Logits of exit `exit`, when the fused stage+head graph computed them with the features. */
  readonly logits?: Float32Array;
  readonly exit?: number;
}

export interface OnnxEngineOptions {
  /** Run each stage with its head in one fused graph (one call per exit). Default true. */
  readonly fused?: boolean;
  /** Passed to every InferenceSession.create. */
  readonly sessionOptions?: OrtSessionOptions;
}

interface Graph {
  /** What the graph runs for, in errors: e.g. `stage 2 (fused2.onnx)`. */
  readonly name: string;
  readonly session: OrtSession;
  readonly input: string;
  readonly outputs: readonly string[];
}

async function openGraph(
  runtime: OrtRuntime,
  bundle: OnnxBundle,
  entry: { file: string; input: string; outputs: readonly string[] },
  options: OrtSessionOptions | undefined,
  expected: ExpectedShapes,
  role: string,
): Promise<Graph> {
  const bytes = bundle.files[entry.file];
  if (!bytes) {
    throw new OnnxModelError({ field: `files[${JSON.stringify(entry.file)}]`, expected: 'the bytes of the graph the manifest names', received: 'nothing' });
  }
  let session: OrtSession;
  try {
    session = await runtime.InferenceSession.create(bytes, options);
  } catch (error) {
    throw new OnnxModelError({
      field: entry.file,
      expected: 'a model onnxruntime can load',
      received: error instanceof Error ? error.message : String(error),
    });
  }
  try {
    checkDeclared(session, entry, expected);
  } catch (error) {
    await session.release();
    throw error;
  }
  return { name: `${role} (${entry.file})`, session, input: entry.input, outputs: entry.outputs };
}

/** What the manifest says a graph takes and gives per sample (undefined: not checked). */
interface ExpectedShapes {
  /** Where the entry sits in the manifest, e.g. `manifest.heads[1]`. */
  readonly field: string;
  readonly input?: readonly number[];
  readonly outputs: readonly (readonly number[] | undefined)[];
}

function sameDims(declared: ReadonlyArray<number | string>, perSample: readonly number[]): boolean {
  // The batch axis and symbolic dimensions match anything; fixed ones must be equal.
  if (declared.length !== perSample.length + 1) return false;
  return perSample.every((d, i) => typeof declared[i + 1] !== 'number' || declared[i + 1] === d);
}

/**
 * The graph's declared names and shapes against the manifest: a mismatch is an OnnxModelError naming the file
 * and the manifest field, when the engine opens the bundle rather than at the first inference.
 */
function checkDeclared(session: OrtSession, entry: { file: string; input: string; outputs: readonly string[] }, expected: ExpectedShapes): void {
  const fail = (field: string, wanted: string, got: string) => {
    throw new OnnxModelError({ field: `${entry.file}: ${expected.field}.${field}`, expected: wanted, received: got });
  };
  if (!session.inputNames.includes(entry.input)) fail('input', `an input of the graph (${session.inputNames.join(', ')})`, JSON.stringify(entry.input));
  entry.outputs.forEach((name, k) => {
    if (!session.outputNames.includes(name)) fail(`outputs[${k}]`, `an output of the graph (${session.outputNames.join(', ')})`, JSON.stringify(name));
  });
  const shapeOf = (list: readonly OrtValueMetadata[] | undefined, name: string) => list?.find((m) => m.name === name)?.shape;
  const input = shapeOf(session.inputMetadata, entry.input);
  if (expected.input && input && input.length > 0 && !sameDims(input, expected.input)) {
    fail('input', `per-sample shape [${expected.input.join(', ')}] (manifest)`, `[${input.join(', ')}] declared by the graph`);
  }
  entry.outputs.forEach((name, k) => {
    const want = expected.outputs[k];
    const got = shapeOf(session.outputMetadata, name);
    if (want && got && got.length > 0 && !sameDims(got, want)) {
      fail(`outputs[${k}]`, `per-sample shape [${want.join(', ')}] (manifest)`, `[${got.join(', ')}] declared by the graph`);
    }
  });
}

function floatData(t: OrtTensor, field: string): Float32Array {
  if (!(t.data instanceof Float32Array)) {
    throw new OnnxModelError({ field, expected: 'a float32 tensor on the CPU', received: `a ${t.type} tensor` });
  }
  return t.data;
}

/**
 * Runs an exported (or imported) network in onnxruntime for the early-exit runner and trace
 * collection. With fused graphs each exit costs one session call (stage and head together);
 * batch compaction copies the surviving rows on the host into a smaller tensor.
 */
export class OnnxEngine implements Engine<OnnxValue> {
  readonly exits: number;
  readonly classes: number;
  readonly inputShape: readonly number[];
  readonly manifest: OnnxManifest;
  readonly #runtime: OrtRuntime;
  readonly #stages: readonly Graph[];
  readonly #heads: readonly Graph[];
  readonly #fused: readonly Graph[] | undefined;
  readonly #full: Graph;
  readonly #features: readonly FeatureSpec[];
  #released = false;

  private constructor(
    runtime: OrtRuntime,
    manifest: OnnxManifest,
    graphs: { stages: Graph[]; heads: Graph[]; fused: Graph[] | undefined; full: Graph },
  ) {
    this.#runtime = runtime;
    this.manifest = manifest;
    this.exits = manifest.exits;
    this.classes = manifest.classes;
    this.inputShape = Object.freeze([...manifest.inputShape]);
    this.#stages = graphs.stages;
    this.#heads = graphs.heads;
    this.#fused = graphs.fused;
    this.#full = graphs.full;
    this.#features = manifest.stages.map((s) => s.feature);
  }

  /** Opens a session per graph of the bundle. */
  static async create(runtime: OrtRuntime, bundle: OnnxBundle, options: OnnxEngineOptions = {}): Promise<OnnxEngine> {
    const manifest = checkManifest(bundle.manifest);
    const open = (entry: { file: string; input: string; outputs: readonly string[] }, expected: ExpectedShapes, role: string) =>
      openGraph(runtime, bundle, entry, options.sessionOptions, expected, role);
    const fused = options.fused ?? true;
    const logits = [manifest.classes];
    // Stage l reads stage l-1's features and gives its own; head l reads stage l's (all per sample, graph layout).
    const feature = (l: number) => manifest.stages[l]!.feature.shape;
    const stageInput = (l: number) => (l === 0 ? manifest.inputShape : feature(l - 1));
    const graphs = {
      stages: await Promise.all(manifest.stages.map((e, l) => open(e, { field: `manifest.stages[${l}]`, input: stageInput(l), outputs: [feature(l)] }, `stage ${l}`))),
      heads: await Promise.all(manifest.heads.map((e, l) => open(e, { field: `manifest.heads[${l}]`, input: feature(l), outputs: [logits] }, `head ${l}`))),
      fused: fused
        ? await Promise.all(manifest.fused.map((e, l) => open(e, { field: `manifest.fused[${l}]`, input: stageInput(l), outputs: [feature(l), logits] }, `stage ${l}`)))
        : undefined,
      full: await open(manifest.full, { field: 'manifest.full', input: manifest.inputShape, outputs: [logits] }, 'full model'),
    };
    return new OnnxEngine(runtime, manifest, graphs);
  }

  #checkIndex(index: number, field: string): void {
    if (this.#released) {
      throw new ArgumentError({ field: 'engine', expected: 'a live engine', received: 'a released engine' });
    }
    if (!Number.isInteger(index) || index < 0 || index >= this.exits) {
      throw new ArgumentError({ field, expected: `a whole number in [0, ${this.exits - 1}]`, received: String(index) });
    }
  }

  #wrap(data: Float32Array, batch: number, shape: readonly number[], layout: FeatureLayout): OnnxValue {
    return { tensor: new this.#runtime.Tensor('float32', data, [batch, ...shape]), batch, shape, layout };
  }

  fromHost(data: Float32Array, batch: number): OnnxValue {
    const perSample = shapeSize(this.inputShape);
    if (!Number.isInteger(batch) || batch < 1 || data.length !== batch * perSample) {
      throw new InputShapeError({
        field: 'data.length',
        expected: `batch x ${perSample} values with a batch >= 1`,
        received: `${data.length} values for a batch of ${batch}`,
      });
    }
    return this.#wrap(data, batch, this.inputShape, this.inputShape.length === 1 ? 'flat' : 'NHWC');
  }

  async runStage(stage: number, input: OnnxValue): Promise<OnnxValue> {
    this.#checkIndex(stage, 'stage');
    const { shape, layout } = this.#features[stage]!;
    if (this.#fused) {
      const graph = this.#fused[stage]!;
      const out = await runSession(graph.session, { [graph.input]: input.tensor }, [...graph.outputs], graph.name);
      const logits = floatData(out[graph.outputs[1]!]!, `fused${stage}.logits`);
      return { tensor: out[graph.outputs[0]!]!, batch: input.batch, shape, layout, logits, exit: stage };
    }
    const graph = this.#stages[stage]!;
    const out = await runSession(graph.session, { [graph.input]: input.tensor }, [graph.outputs[0]!], graph.name);
    return { tensor: out[graph.outputs[0]!]!, batch: input.batch, shape, layout };
  }

  async runHead(exit: number, hidden: OnnxValue): Promise<Float32Array> {
    this.#checkIndex(exit, 'exit');
    if (hidden.logits && hidden.exit === exit) return hidden.logits;
    const graph = this.#heads[exit]!;
    const out = await runSession(graph.session, { [graph.input]: hidden.tensor }, [graph.outputs[0]!], graph.name);
    return floatData(out[graph.outputs[0]!]!, `head${exit}.logits`);
  }

  /** Batch compaction on the host: copies the rows into a new, smaller tensor. */
  take(x: OnnxValue, rows: Int32Array): OnnxValue {
    const data = floatData(x.tensor, 'x');
    const size = data.length / x.batch;
    const out = new Float32Array(rows.length * size);
    rows.forEach((row, i) => {
      if (!Number.isInteger(row) || row < 0 || row >= x.batch) {
        throw new ArgumentError({ field: `rows[${i}]`, expected: `a row in [0, ${x.batch - 1}]`, received: String(row) });
      }
      out.set(data.subarray(row * size, (row + 1) * size), i * size);
    });
    return this.#wrap(out, rows.length, x.shape, x.layout);
  }

  /** The rows of every part stacked in order into one tensor (pooling rows of several batches). */
  concat(parts: readonly OnnxValue[]): OnnxValue {
    const first = parts[0];
    if (!first) throw new ArgumentError({ field: 'parts', expected: 'at least one value', received: '0 values' });
    const size = shapeSize(first.shape);
    const batch = parts.reduce((a, p) => a + p.batch, 0);
    const out = new Float32Array(batch * size);
    let offset = 0;
    parts.forEach((p, i) => {
      if (p.layout !== first.layout || shapeSize(p.shape) !== size || p.shape.length !== first.shape.length) {
        throw new InputShapeError({
          field: `parts[${i}].shape`,
          expected: `[${first.shape.join(', ')}] ${first.layout} (as parts[0])`,
          received: `[${p.shape.join(', ')}] ${p.layout}`,
        });
      }
      const data = floatData(p.tensor, `parts[${i}]`);
      out.set(data.subarray(0, p.batch * size), offset);
      offset += p.batch * size;
    });
    return this.#wrap(out, batch, first.shape, first.layout);
  }

  /** Features on the host, channels-last (NCHW maps are transposed to [H, W, C] per sample). */
  toHost(x: OnnxValue): Float32Array {
    const data = floatData(x.tensor, 'x');
    return x.layout === 'NCHW' ? nchwToNhwc(data, x.batch, x.shape) : data.slice();
  }

  dispose(x: OnnxValue): void {
    x.tensor.dispose?.();
  }

  /** Logits of the single full-model graph (every stage and the last head, no exits). */
  async runFull(input: Float32Array, batch: number): Promise<Float32Array> {
    if (this.#released) {
      throw new ArgumentError({ field: 'engine', expected: 'a live engine', received: 'a released engine' });
    }
    // The runners validate their input; the full graph is called directly, so it checks here (NaN, shape, empty).
    validateInput(input, batch, this.inputShape);
    const x = this.fromHost(input, batch);
    const out = await runSession(this.#full.session, { [this.#full.input]: x.tensor }, [this.#full.outputs[0]!], this.#full.name);
    return floatData(out[this.#full.outputs[0]!]!, 'full.logits');
  }

  /** Closes every session. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const all = [...this.#stages, ...this.#heads, ...(this.#fused ?? []), this.#full];
    await Promise.all(all.map((g) => g.session.release()));
  }
}

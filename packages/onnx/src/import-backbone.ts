import { ArgumentError, checkSampleShape, CountMismatchError } from '@offramp/core';
import { type CutStage, cutModel, type ExitPoint } from './cut-model.js';
import { OnnxModelError } from './errors.js';
import { checkFeatureSpec, type FeatureSpec, hostShape } from './feature.js';
import { graphInput } from './graph-input.js';
import { type MapLayout, tensorLayout } from './graph-layout.js';
import { decodeModel, type GraphProto } from './proto.js';
import { loadNodeRuntime, type OrtRuntime, type OrtSessionOptions } from './runtime.js';
import { type ProbedStage, probeStages } from './stage-probe.js';
import type { StagePart } from './bundle.js';

/** One ONNX file per stage: a single input and output each. */
export interface StageFile extends FeatureSpec {
  readonly model: Uint8Array;
}

export type ImportSpec =
  | {
      /** One model whose intermediate tensors are the exits; it is cut into stages there. */
      readonly model: Uint8Array;
      readonly exits: readonly ExitPoint[];
      /** MACs per sample of each stage (for cost accounting); one per exit. */
      readonly macs: readonly number[];
    }
  | {
      readonly stages: readonly StageFile[];
      readonly macs: readonly number[];
      /** Per-sample input shape of the first stage; read from its graph when omitted. */
      readonly inputShape?: readonly number[];
    };

/** How importOnnxBackbone runs its probe of the stage graphs. */
export interface ImportOptions {
  /** The onnxruntime that runs the probe (onnxruntime-node, loaded when omitted; or onnxruntime-web). */
  readonly runtime?: OrtRuntime;
  /** Session options of the probe sessions (e.g. intraOpNumThreads). */
  readonly sessionOptions?: OrtSessionOptions;
}

/** A user's model as a staged backbone: stage graphs ready for buildBundle, and their features. */
export interface ImportedBackbone {
  readonly inputShape: readonly number[];
  readonly stages: readonly StagePart[];
  /** Channels-last per-sample shape of each exit's features, as heads trained in tfjs see them. */
  readonly headInputShapes: readonly number[][];
}

function checkMacs(macs: readonly number[] | undefined, count: number): void {
  if (!Array.isArray(macs) || macs.length !== count) {
    throw new CountMismatchError({
      field: 'macs',
      expected: `${count} MAC counts (one per stage)`,
      received: Array.isArray(macs) ? String(macs.length) : String(macs),
    });
  }
  macs.forEach((m, i) => {
    if (!Number.isFinite(m) || m < 0) {
      throw new ArgumentError({ field: `macs[${i}]`, expected: 'a finite number >= 0', received: String(m) });
    }
  });
}

function singleIo(bytes: Uint8Array, field: string): { input: string; output: string; inputShape: number[]; graph: GraphProto } {
  const graph = decodeModel(bytes, field).graph!;
  const weights = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((v) => !weights.has(v.name));
  const outputs = graph.output ?? [];
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new OnnxModelError({
      field,
      expected: 'a stage model with one input and one output',
      received: `${inputs.length} inputs and ${outputs.length} outputs`,
    });
  }
  const dims = inputs[0]!.type?.tensorType?.shape?.dim ?? [];
  return {
    input: inputs[0]!.name ?? '',
    output: outputs[0]!.name ?? '',
    inputShape: dims.slice(1).map((d) => Number(d.dimValue ?? 0)),
    graph,
  };
}

const mapLayout = (spec: FeatureSpec): MapLayout | undefined => (spec.layout === 'flat' ? undefined : spec.layout);

async function probeRuntime(options: ImportOptions): Promise<OrtRuntime> {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError({ field: 'options', expected: '{ runtime?, sessionOptions? }', received: String(options) });
  }
  const runtime = options.runtime;
  if (runtime === undefined) return loadNodeRuntime();
  if (typeof runtime?.InferenceSession?.create !== 'function' || typeof runtime.Tensor !== 'function') {
    throw new ArgumentError({
      field: 'options.runtime',
      expected: "an onnxruntime module (await import('onnxruntime-node') or loadNodeRuntime())",
      received: runtime === null ? 'null' : typeof runtime,
    });
  }
  return runtime;
}

/** The spec of one model cut at named tensors, checked, cut, and the stage graphs with the layout the graph gives each exit. */
function cutStages(spec: { readonly model: Uint8Array; readonly exits: readonly ExitPoint[]; readonly macs: readonly number[] }) {
  const cut = cutModel(spec.model, spec.exits);
  checkMacs(spec.macs, cut.stages.length);
  const graph = decodeModel(spec.model, 'model').graph!;
  const input = graphInput(graph, 'model');
  if (typeof input.batch === 'number' && input.batch !== 0) {
    throw new OnnxModelError({
      field: 'model.graph.input[0]',
      expected: 'a free batch axis (a symbolic first dimension, e.g. torch.onnx.export(..., dynamic_axes={"input": {0: "batch"}}))',
      received: `a fixed batch of ${input.batch}`,
    });
  }
  const stages = cut.stages.map((s: CutStage, l) => ({
    model: s.model,
    input: s.input,
    output: s.output,
    feature: s.feature,
    macs: spec.macs[l]!,
  }));
  const probes = stages.map((stage, l): ProbedStage => {
    const layout = tensorLayout(graph, stage.output);
    return { ...stage, field: `exits[${l}]`, ...(layout ? { graphLayout: layout } : {}) };
  });
  return { inputShape: cut.input.shape, stages, probes };
}

/** One file per stage, checked, with the layout each stage's graph gives its output (from the previous stage's declared layout). */
function fileStages(spec: { readonly stages: readonly StageFile[]; readonly macs: readonly number[]; readonly inputShape?: readonly number[] }) {
  if (!Array.isArray(spec.stages) || spec.stages.length === 0) {
    throw new ArgumentError({ field: 'stages', expected: 'at least one stage file', received: String(spec.stages) });
  }
  checkMacs(spec.macs, spec.stages.length);
  const probes = spec.stages.map((file, l): ProbedStage & { macs: number } => {
    const feature = checkFeatureSpec(file, `stages[${l}]`);
    const io = singleIo(file.model, `stages[${l}].model`);
    const previous = l === 0 ? undefined : mapLayout(spec.stages[l - 1]!);
    const layout = tensorLayout(io.graph, io.output, previous);
    return {
      model: file.model,
      input: io.input,
      output: io.output,
      feature,
      macs: spec.macs[l]!,
      field: `stages[${l}]`,
      ...(layout ? { graphLayout: layout } : {}),
    };
  });
  const inputShape = spec.inputShape ?? singleIo(spec.stages[0]!.model, 'stages[0].model').inputShape;
  checkSampleShape(inputShape, 'inputShape');
  const stages = probes.map(({ model, input, output, feature, macs }): StagePart => ({ model, input, output, feature, macs }));
  return { inputShape: [...inputShape], stages, probes };
}

/**
 * Imports a user's ONNX model as an early-exit backbone: (a) one model cut at named intermediate
 * tensors, or (b) one file per stage. Exit features may be NCHW, NHWC or flat.
 *
 * The stage graphs then run once, one after another, on a probe batch (onnxruntime, `options.runtime`),
 * and each exit's declared `shape` is checked against the shape the graph gives, and its `layout`
 * against the layout the graph gives where the graph tells it (a Conv, pooling or normalization output is
 * channels-first): a mismatch is an OnnxModelError naming `exits[l].shape` or `exits[l].layout`
 * (`stages[l]...` for stage files) with the declared and the actual value and the spec that would match.
 */
export async function importOnnxBackbone(spec: ImportSpec, options: ImportOptions = {}): Promise<ImportedBackbone> {
  if (spec === null || typeof spec !== 'object') {
    throw new ArgumentError({ field: 'spec', expected: '{ model, exits, macs } or { stages, macs }', received: String(spec) });
  }
  const { inputShape, stages, probes } = 'model' in spec ? cutStages(spec) : fileStages(spec);
  const runtime = await probeRuntime(options);
  await probeStages(runtime, inputShape, probes, options.sessionOptions);
  return { inputShape: [...inputShape], stages, headInputShapes: stages.map((s) => hostShape(s.feature)) };
}

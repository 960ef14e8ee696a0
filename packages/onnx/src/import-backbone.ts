import { ArgumentError, checkSampleShape, CountMismatchError } from '@offramp/core';
import { type CutStage, cutModel, type ExitPoint } from './cut-model.js';
import { OnnxModelError } from './errors.js';
import { checkFeatureSpec, type FeatureSpec, hostShape } from './feature.js';
import { decodeModel } from './proto.js';
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

function singleIo(bytes: Uint8Array, field: string): { input: string; output: string; inputShape: number[] } {
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
  };
}

/**
 * Imports a user's ONNX model as an early-exit backbone: (a) one model cut at named intermediate
 * tensors, or (b) one file per stage. Exit features may be NCHW, NHWC or flat.
 */
export function importOnnxBackbone(spec: ImportSpec): ImportedBackbone {
  if (spec === null || typeof spec !== 'object') {
    throw new ArgumentError({ field: 'spec', expected: '{ model, exits, macs } or { stages, macs }', received: String(spec) });
  }
  if ('model' in spec) {
    const cut = cutModel(spec.model, spec.exits);
    checkMacs(spec.macs, cut.stages.length);
    const stages = cut.stages.map((s: CutStage, l) => ({
      model: s.model,
      input: s.input,
      output: s.output,
      feature: s.feature,
      macs: spec.macs[l]!,
    }));
    return { inputShape: cut.input.shape, stages, headInputShapes: stages.map((s) => hostShape(s.feature)) };
  }
  if (!Array.isArray(spec.stages) || spec.stages.length === 0) {
    throw new ArgumentError({ field: 'stages', expected: 'at least one stage file', received: String(spec.stages) });
  }
  checkMacs(spec.macs, spec.stages.length);
  const stages = spec.stages.map((file, l): StagePart => {
    const feature = checkFeatureSpec(file, `stages[${l}]`);
    const io = singleIo(file.model, `stages[${l}].model`);
    return { model: file.model, input: io.input, output: io.output, feature, macs: spec.macs[l]! };
  });
  const inputShape = spec.inputShape ?? singleIo(spec.stages[0]!.model, 'stages[0].model').inputShape;
  checkSampleShape(inputShape, 'inputShape');
  return { inputShape: [...inputShape], stages, headInputShapes: stages.map((s) => hostShape(s.feature)) };
}

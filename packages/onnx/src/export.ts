import { ArgumentError, InputShapeError, type Module } from '@offramp/core';
import { describeLayers, type LayerDescription } from '@offramp/heads';
import type * as tf from '@tensorflow/tfjs';
import { type BundleParts, buildBundle, type HeadPart, type OnnxBundle, type StagePart } from './bundle.js';
import { checkFeatureSpec, type FeatureSpec, hostShape } from './feature.js';
import { GraphBuilder, type HostTensor } from './graph-builder.js';
import type { HostLayer } from './host-layer.js';
import { appendLayers } from './layers-to-graph.js';

/** A tfjs stage or head (the TfModule of @offramp/heads and @offramp/backbones). */
export type ExportableModule = Module<tf.Tensor, tf.Variable>;

function hostTensor(v: tf.Variable): HostTensor {
  return { shape: [...v.shape], values: Float32Array.from(v.dataSync() as Float32Array) };
}

function toHostLayer(layer: LayerDescription): HostLayer {
  switch (layer.op) {
    case 'dense':
      return { op: 'dense', kernel: hostTensor(layer.kernel), bias: hostTensor(layer.bias) };
    case 'conv2d':
      return { ...layer, kernel: hostTensor(layer.kernel), bias: hostTensor(layer.bias) };
    default:
      return layer;
  }
}

/** The module's layers with their current weights copied to the host. */
export function hostLayers(module: ExportableModule, field: string): HostLayer[] {
  const layers = describeLayers(module);
  if (!layers) {
    throw new ArgumentError({
      field,
      expected: 'a module that describes its layers (built by @offramp/backbones or @offramp/heads, or given attachLayers)',
      received: `module ${JSON.stringify(module.name)} without a layer description`,
    });
  }
  return layers.map(toHostLayer);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function build(
  module: ExportableModule,
  input: FeatureSpec,
  prefix: string,
  field: string,
): { model: Uint8Array; feature: FeatureSpec } {
  const b = new GraphBuilder(prefix);
  const out = appendLayers(b, { name: 'x', feature: input }, hostLayers(module, field), `${field}.layers`);
  if (!sameShape(hostShape(out.feature), module.outputShape)) {
    throw new InputShapeError({
      field: `${field}.outputShape`,
      expected: `[${hostShape(out.feature).join(', ')}] (what its layers compute)`,
      received: `[${module.outputShape.join(', ')}]`,
    });
  }
  if (out.name === 'x') b.node('Identity', ['x'], {}, 'y');
  else b.renameLast('y');
  return { model: b.toModel([{ name: 'x', shape: input.shape }], [{ name: 'y', shape: out.feature.shape }]), feature: out.feature };
}

/** The features a tfjs network takes as input: [H, W, C] images are NHWC, vectors flat. */
export function inputFeature(inputShape: readonly number[]): FeatureSpec {
  return checkFeatureSpec({ shape: [...inputShape], layout: inputShape.length === 1 ? 'flat' : 'NHWC' }, 'inputShape');
}

/** One stage as an ONNX graph (input `x`, output `y`); image features come out NCHW. */
export function exportStage(stage: ExportableModule, input: FeatureSpec, field = 'stage'): StagePart {
  const { model, feature } = build(stage, input, field, field);
  return { model, input: 'x', output: 'y', feature, macs: stage.macs };
}

/** One head as an ONNX graph reading features laid out as `input` (e.g. a stage's NCHW output). */
export function exportHead(head: ExportableModule, input: FeatureSpec, field = 'head'): HeadPart {
  const { model } = build(head, input, field, field);
  return { model, input: 'x', output: 'y', macs: head.macs };
}

export interface ExportNetworkOptions extends Omit<BundleParts, 'stages' | 'heads'> {
  readonly stages: readonly ExportableModule[];
  readonly heads: readonly ExportableModule[];
}

/**
 * Exports a trained tfjs early-exit network: a graph per stage and per head, a fused stage+head
 * graph per exit, the full-model graph, and the manifest.
 */
export function exportNetwork(options: ExportNetworkOptions): OnnxBundle {
  let feature = inputFeature(options.inputShape);
  const stages = options.stages.map((stage, l) => {
    const part = exportStage(stage, feature, `stages[${l}]`);
    feature = part.feature;
    return part;
  });
  const heads = options.heads.map((head, l) => {
    const stage = stages[l];
    if (!stage) {
      throw new ArgumentError({ field: `heads[${l}]`, expected: `at most ${stages.length} heads`, received: `${options.heads.length}` });
    }
    return exportHead(head, stage.feature, `heads[${l}]`);
  });
  return buildBundle({ ...options, stages, heads });
}

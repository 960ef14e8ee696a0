import { computeExitCosts, createRng, type ExitCosts } from '@offramp/core';
import {
  appendLayers,
  buildBundle,
  type FeatureSpec,
  GraphBuilder,
  type HostLayer,
  type HostTensor,
  type OnnxBundle,
} from '../src/index.js';

/** Seeded weights in [-scale, scale). */
export function tensor(shape: number[], seed: number, scale = 1): HostTensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, values: Float32Array.from({ length: size }, () => (rng.next() * 2 - 1) * scale) };
}

/** A graph (input `x`, output `y`) of host layers on features `input`. */
export function part(input: FeatureSpec, layers: HostLayer[], prefix: string) {
  const b = new GraphBuilder(prefix);
  const out = appendLayers(b, { name: 'x', feature: input }, layers, prefix);
  b.renameLast('y');
  return { model: b.toModel([{ name: 'x', shape: input.shape }], [{ name: 'y', shape: out.feature.shape }]), feature: out.feature };
}

export interface TinyNet {
  readonly bundle: OnnxBundle;
  readonly costs: ExitCosts;
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** Flattened feature size of each exit. */
  readonly hiddenSizes: readonly number[];
}

export function assemble(inputShape: number[], classes: number, stageLayers: HostLayer[][], headLayers: HostLayer[][]): TinyNet {
  let feature: FeatureSpec = { shape: inputShape, layout: inputShape.length === 1 ? 'flat' : 'NHWC' };
  const stages = stageLayers.map((layers, l) => {
    const p = part(feature, layers, `s${l}`);
    const stage = { model: p.model, input: 'x', output: 'y', feature: p.feature, macs: 100 * (l + 1) };
    feature = p.feature;
    return stage;
  });
  const heads = headLayers.map((layers, l) => {
    const p = part(stages[l]!.feature, layers, `h${l}`);
    return { model: p.model, input: 'x', output: 'y', macs: 10 };
  });
  const bundle = buildBundle({ inputShape, classes, stages, heads });
  const costs = computeExitCosts({ stageMacs: bundle.manifest.macs.stages, headMacs: bundle.manifest.macs.heads });
  const hiddenSizes = stages.map((s) => s.feature.shape.reduce((a, b) => a * b, 1));
  return { bundle, costs, inputShape, classes, hiddenSizes };
}

export const dense = (inputs: number, outputs: number, seed: number, scale = 1): HostLayer => ({
  op: 'dense',
  kernel: tensor([inputs, outputs], seed, scale),
  bias: tensor([outputs], seed + 1000, 0.3),
});

/** An MLP of three stages (6 -> 8 -> 8 -> 6, ReLU) with a linear head of 4 classes after each. */
export function tinyMlp(seed = 1): TinyNet {
  const widths = [6, 8, 8, 6];
  const stages: HostLayer[][] = [0, 1, 2].map((l) => [dense(widths[l]!, widths[l + 1]!, seed + l), { op: 'relu' }]);
  const heads: HostLayer[][] = [0, 1, 2].map((l) => [dense(widths[l + 1]!, 4, seed + 10 + l, 2.5)]);
  return assemble([6], 4, stages, heads);
}

/**
 * A CNN on [5, 5, 2] images: conv 3x3 'same' (3 filters, NCHW features), conv 3x3 stride 2 (4 filters),
 * global average pool to a flat vector. Heads: flatten + dense, max pool + dense, dense; 3 classes.
 */
export function tinyCnn(seed = 7): TinyNet {
  const conv = (cin: number, cout: number, strides: number, s: number): HostLayer => ({
    op: 'conv2d',
    kernel: tensor([3, 3, cin, cout], s, 0.6),
    bias: tensor([cout], s + 1000, 0.2),
    strides,
    padding: 'same',
  });
  const stages: HostLayer[][] = [
    [conv(2, 3, 1, seed), { op: 'relu' }],
    [conv(3, 4, 2, seed + 1), { op: 'relu' }],
    [{ op: 'globalPool', kind: 'avg' }, dense(4, 5, seed + 2), { op: 'relu' }],
  ];
  const heads: HostLayer[][] = [
    [{ op: 'flatten' }, dense(75, 3, seed + 10, 0.8)],
    [{ op: 'globalPool', kind: 'max' }, dense(4, 3, seed + 11, 3)],
    [dense(5, 3, seed + 12, 3)],
  ];
  return assemble([5, 5, 2], 3, stages, heads);
}

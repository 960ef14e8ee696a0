import type * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '@offramp/core';
import { GraphBuilder, type HostTensor } from './graph-builder.js';

/**
 * What the export reads of a transformer LM (`createTransformerLm` of @offramp/backbones fits): its name, its number
 * of attention heads and its variables; every other size follows from the variables' shapes.
 */
export interface TransformerLmSource {
  readonly name: string;
  readonly heads: number;
  readonly variables: readonly tf.Variable[];
}

/** The sizes of an LM, as its weights give them. */
export interface LmSizes {
  readonly name: string;
  readonly heads: number;
  readonly vocabSize: number;
  readonly context: number;
  readonly dModel: number;
  readonly layers: number;
}

/**
 * Which part of the LM one graph runs: layers [from, to), starting from token ids (`embed`) or from the hidden
 * states after layer from - 1, ending with the shared exit head (`head`) or not, with cached keys and values of
 * earlier positions (`past`) or without (the first pass of a sequence).
 *
 * Inputs (all float32): `tokens` and `positions` [B, T] (ids and absolute positions, as floats) or `hidden`
 * [B, T, d]; `mask` [B, 1, T, P + T] (additive: 0 where a new position may attend, a large negative number
 * elsewhere); with `past`, `past_keys_l` and `past_values_l` [P, B, d] for each layer l of the range (cache
 * slots first, then rows, heads side by side: a cache that grows by slots stays one contiguous prefix). Outputs: `hidden_out` [B, T, d], with `head` the `logits` [B, T, vocabulary], and
 * the new positions' `keys_l` and `values_l` [B, T, d].
 */
export interface LmGraphRange {
  readonly from: number;
  readonly to: number;
  readonly embed: boolean;
  readonly head: boolean;
  readonly past: boolean;
}

/** The host copy of an LM's weights, read once and shared by every graph made from it, with the sizes they give. */
export interface LmWeights {
  readonly source: LmSizes;
  readonly byName: ReadonlyMap<string, HostTensor>;
}

/** Reads the LM's weights to the host (once per model; graphs of any range are then built from them). */
export async function readLmWeights(lm: TransformerLmSource): Promise<LmWeights> {
  const byName = new Map<string, HostTensor>();
  for (const v of lm.variables) byName.set(v.name, { shape: v.shape, values: Float32Array.from((await v.data()) as Float32Array) });
  const [vocabSize, dModel] = findWeight(byName, '/embedding/tokens').shape as [number, number];
  const [context] = findWeight(byName, '/embedding/positions').shape as [number];
  let layers = 0;
  while ([...byName.keys()].some((name) => name.includes(`/layer${layers}/`))) layers++;
  if (!(Number.isInteger(lm.heads) && lm.heads >= 1 && dModel % lm.heads === 0)) {
    throw new ArgumentError({ field: 'lm.heads', expected: `a divisor of the width ${dModel}`, received: String(lm.heads) });
  }
  return { source: { name: lm.name, heads: lm.heads, vocabSize, context, dModel, layers }, byName };
}

function findWeight(byName: ReadonlyMap<string, HostTensor>, suffix: string): HostTensor {
  for (const [name, tensor] of byName) if (name.endsWith(suffix)) return tensor;
  throw new ArgumentError({ field: 'lm.variables', expected: `a variable named ...${suffix}`, received: [...byName.keys()].slice(0, 6).join(', ') });
}

function transposed(t: HostTensor): HostTensor {
  const [rows, cols] = t.shape as [number, number];
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[c * rows + r] = t.values[r * cols + c]!;
  return { shape: [cols, rows], values };
}

function checkRange(lm: LmSizes, range: LmGraphRange): void {
  const { from, to } = range;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > lm.layers || from >= to) {
    throw new ArgumentError({ field: 'range', expected: `0 <= from < to <= ${lm.layers}`, received: `from ${from}, to ${to}` });
  }
}

/** The opset of the LM's graphs: 17 has LayerNormalization, one fused kernel instead of nine nodes. */
const LM_OPSET = 17;

/** Layer normalisation over the last axis, as the LM computes it (epsilon 1e-5). */
function layerNormNodes(b: GraphBuilder, x: string, gamma: HostTensor, beta: HostTensor): string {
  return b.node('LayerNormalization', [x, b.weight('gamma', gamma), b.weight('beta', beta)], { axis: { int: -1 }, epsilon: { float: 1e-5 } });
}

function denseNodes(b: GraphBuilder, x: string, kernel: HostTensor, bias: HostTensor): string {
  return b.node('Add', [b.node('MatMul', [x, b.weight('kernel', kernel)]), b.weight('bias', bias)]);
}

/** One pre-norm layer on x [B, T, d]; returns its output and the new positions' keys and values [B, T, d]. */
function layerNodes(b: GraphBuilder, weights: LmWeights, l: number, x: string, mask: string, past: boolean) {
  const { heads, dModel: d } = weights.source;
  const dh = d / heads;
  const w = (part: string) => findWeight(weights.byName, `/layer${l}/${part}`);
  const normed = layerNormNodes(b, x, w('norm1/gamma'), w('norm1/beta'));
  const [q, k, v] = b.nodeOutputs('Split', [denseNodes(b, normed, w('attention/qkv/kernel'), w('attention/qkv/bias'))], { axis: { int: 2 } }, 3) as [
    string,
    string,
    string,
  ];
  const keys = b.node('Identity', [k], {}, `keys_${l}`);
  const values = b.node('Identity', [v], {}, `values_${l}`);
  const rowsFirst = (t: string) => b.node('Transpose', [t], { perm: { ints: [1, 0, 2] } });
  const allKeys = past ? b.node('Concat', [rowsFirst(`past_keys_${l}`), keys], { axis: { int: 1 } }) : keys;
  const allValues = past ? b.node('Concat', [rowsFirst(`past_values_${l}`), values], { axis: { int: 1 } }) : values;
  const split = b.constant([0, 0, heads, dh], 'int64');
  const perHead = (t: string, perm: number[]) => b.node('Transpose', [b.node('Reshape', [t, split])], { perm: { ints: perm } });
  const scores = b.node('Add', [
    b.node('Mul', [b.node('MatMul', [perHead(q, [0, 2, 1, 3]), perHead(allKeys, [0, 2, 3, 1])]), b.constant(1 / Math.sqrt(dh), 'float32')]),
    mask,
  ]);
  const attended = b.node('MatMul', [b.node('Softmax', [scores], { axis: { int: -1 } }), perHead(allValues, [0, 2, 1, 3])]);
  const merged = b.node('Reshape', [b.node('Transpose', [attended], { perm: { ints: [0, 2, 1, 3] } }), b.constant([0, 0, d], 'int64')]);
  const afterAttention = b.node('Add', [x, denseNodes(b, merged, w('attention/out/kernel'), w('attention/out/bias'))]);
  const normed2 = layerNormNodes(b, afterAttention, w('norm2/gamma'), w('norm2/beta'));
  const hidden = b.node('Relu', [denseNodes(b, normed2, w('ffn/kernel1'), w('ffn/bias1'))]);
  const output = b.node('Add', [afterAttention, denseNodes(b, hidden, w('ffn/kernel2'), w('ffn/bias2'))]);
  return { output, keys, values };
}

/** The ONNX model of one range of the LM (see LmGraphRange for its inputs and outputs). */
export function transformerLmGraph(weights: LmWeights, range: LmGraphRange): Uint8Array {
  const lm = weights.source;
  checkRange(lm, range);
  const { from, to } = range;
  const d = lm.dModel;
  const b = new GraphBuilder(`${lm.name}/layers${from}-${to}`, LM_OPSET);
  let x: string;
  const inputs: { name: string; dims: (number | string)[] }[] = [];
  if (range.embed) {
    inputs.push({ name: 'tokens', dims: ['B', 'T'] }, { name: 'positions', dims: ['B', 'T'] });
    const rows = b.node('Gather', [b.weight('tokens', findWeight(weights.byName, '/embedding/tokens')), b.cast('tokens', 'int64')], { axis: { int: 0 } });
    const placed = b.node('Gather', [b.weight('positions', findWeight(weights.byName, '/embedding/positions')), b.cast('positions', 'int64')], { axis: { int: 0 } });
    x = b.node('Add', [rows, placed]);
  } else {
    inputs.push({ name: 'hidden', dims: ['B', 'T', d] });
    x = 'hidden';
  }
  inputs.push({ name: 'mask', dims: ['B', 1, 'T', 'S'] });
  const outputs: { name: string; dims: (number | string)[] }[] = [];
  for (let l = from; l < to; l++) {
    if (range.past) inputs.push({ name: `past_keys_${l}`, dims: ['P', 'B', d] }, { name: `past_values_${l}`, dims: ['P', 'B', d] });
    const step = layerNodes(b, weights, l, x, 'mask', range.past);
    outputs.push({ name: step.keys, dims: ['B', 'T', d] }, { name: step.values, dims: ['B', 'T', d] });
    x = step.output;
  }
  b.node('Identity', [x], {}, 'hidden_out');
  outputs.unshift({ name: 'hidden_out', dims: ['B', 'T', d] });
  if (range.head) {
    const normed = layerNormNodes(b, x, findWeight(weights.byName, '/head/norm/gamma'), findWeight(weights.byName, '/head/norm/beta'));
    b.node('MatMul', [normed, b.weight('unembed', transposed(findWeight(weights.byName, '/embedding/tokens')))], {}, 'logits');
    outputs.splice(1, 0, { name: 'logits', dims: ['B', 'T', lm.vocabSize] });
  }
  return b.toModelWithDims(inputs, outputs);
}

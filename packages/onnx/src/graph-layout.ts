import type { GraphProto, NodeProto } from './proto.js';

/** The axis order of a rank-4 tensor [N, ...]: channels first or channels last. */
export type MapLayout = 'NCHW' | 'NHWC';

/** Operators whose output is channels-first by the ONNX specification (their channel axis is 1). */
const CHANNELS_FIRST = new Set([
  'Conv',
  'ConvTranspose',
  'ConvInteger',
  'QLinearConv',
  'MaxPool',
  'AveragePool',
  'LpPool',
  'MaxUnpool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'GlobalLpPool',
  'BatchNormalization',
  'InstanceNormalization',
  'LRN',
  'DepthToSpace',
  'SpaceToDepth',
]);

/** Operators whose output keeps the axis order of their (first activation) input. */
const KEEPS_AXES = new Set([
  'Abs', 'Add', 'Cast', 'Ceil', 'Celu', 'Clip', 'Concat', 'DequantizeLinear', 'Div', 'Dropout', 'Elu', 'Erf', 'Exp',
  'Floor', 'Gelu', 'HardSigmoid', 'HardSwish', 'Identity', 'LeakyRelu', 'Log', 'Max', 'Mean', 'Min', 'Mish', 'Mul',
  'Neg', 'Pad', 'Pow', 'PRelu', 'QuantizeLinear', 'Reciprocal', 'Relu', 'Resize', 'Round', 'Selu', 'Sigmoid',
  'Slice', 'Softplus', 'Softsign', 'Split', 'Sqrt', 'Sub', 'Sum', 'Tanh', 'ThresholdedRelu', 'Upsample',
]);

/** Where the layout of a tensor comes from, for error messages. */
export interface LayoutSource {
  readonly layout: MapLayout;
  /** The operator that fixes it (e.g. `Conv`), or 'the graph input'. */
  readonly from: string;
  /** The node that fixes it, when there is one. */
  readonly node?: string;
}

function permOf(node: NodeProto): number[] | undefined {
  const perm = (node.attribute ?? []).find((a) => a.name === 'perm');
  return perm?.ints?.map(Number);
}

function transposed(layout: MapLayout, perm: readonly number[] | undefined): MapLayout | undefined {
  const key = perm?.join(',');
  if (key === '0,1,2,3') return layout;
  if (layout === 'NCHW' && key === '0,2,3,1') return 'NHWC';
  if (layout === 'NHWC' && key === '0,3,1,2') return 'NCHW';
  return undefined;
}

/**
 * The axis order of `tensor` where the graph alone tells it: followed back through operators that keep
 * the axis order (Relu, Add, Pad, ...) to an operator whose output ONNX defines as channels-first
 * (Conv, pooling, BatchNormalization, ...), or to the graph input when its layout is known
 * (`inputLayout`); a Transpose between NCHW and NHWC on the way is applied. Undefined where it cannot
 * be told (a Reshape, a MatMul, an unknown input).
 */
export function tensorLayout(graph: GraphProto, tensor: string, inputLayout?: MapLayout): LayoutSource | undefined {
  const nodes = graph.node ?? [];
  const producer = new Map<string, NodeProto>();
  for (const node of nodes) for (const out of node.output ?? []) producer.set(out, node);
  const weights = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? '').filter((name) => !weights.has(name)));
  const isActivation = (name: string): boolean =>
    name !== '' && !weights.has(name) && (inputs.has(name) || (producer.has(name) && producer.get(name)!.opType !== 'Constant'));

  const perms: (number[] | undefined)[] = [];
  let source: LayoutSource | undefined;
  let current = tensor;
  for (let step = 0; step <= nodes.length && source === undefined; step++) {
    if (inputs.has(current)) {
      if (!inputLayout) return undefined;
      source = { layout: inputLayout, from: 'the graph input' };
      break;
    }
    const node = producer.get(current);
    const op = node?.opType ?? '';
    if (!node) return undefined;
    if (CHANNELS_FIRST.has(op)) {
      source = { layout: 'NCHW', from: op, ...(node.name ? { node: node.name } : {}) };
    } else if (op === 'Transpose') {
      perms.push(permOf(node));
      current = node.input?.[0] ?? '';
    } else if (KEEPS_AXES.has(op)) {
      const next = (node.input ?? []).find(isActivation);
      if (next === undefined) return undefined;
      current = next;
    } else {
      return undefined;
    }
  }
  if (!source) return undefined;
  let layout: MapLayout | undefined = source.layout;
  for (let i = perms.length - 1; i >= 0 && layout; i--) layout = transposed(layout, perms[i]);
  if (!layout) return undefined;
  return perms.length === 0 ? source : { ...source, layout, from: `${source.from} and a Transpose` };
}

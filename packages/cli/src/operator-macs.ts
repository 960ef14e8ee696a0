import type { NodeProto, TensorProto } from './onnx-graph.js';

/** Per-sample shapes of the tensors a node reads and writes, and the weights' dimensions. */
export interface ShapeLookup {
  /** Per-sample shape of an activation (batch axis dropped), or undefined when unknown. */
  readonly activation: (name: string) => readonly number[] | undefined;
  /** The dimensions of an initializer, or undefined when the name is not one. */
  readonly weight: (name: string) => readonly number[] | undefined;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const attr = (node.attribute ?? []).find((a) => a.name === name);
  return attr?.i == null ? fallback : Number(attr.i);
}

/** A tensor's dimensions, whether it is a weight (full shape) or an activation (per sample). */
function dimsOf(name: string | undefined, shapes: ShapeLookup): readonly number[] | undefined {
  if (!name) return undefined;
  return shapes.weight(name) ?? shapes.activation(name);
}

/**
 * Multiply-accumulates per sample of one node, from its weights and the probed shapes. Operators
 * that hold no weights (activations, pooling, element-wise arithmetic, reshapes) count 0. Formulas
 * (out: the output's per-sample element count):
 * - Conv: out x (Cin / group) x kH x kW (the weight is [Cout, Cin / group, kH, kW]);
 * - ConvTranspose: in x (Cout / group) x kH x kW (each input element is spread over a kernel);
 * - Gemm: out x K (per sample M = 1: N outputs x K inputs; K from B and transB);
 * - MatMul: out x K, K the last axis of the first operand;
 * - BatchNormalization, InstanceNormalization, LayerNormalization: out (one scale per element).
 */
export function operatorMacs(node: NodeProto, shapes: ShapeLookup): number {
  const out = node.output?.[0] ? shapes.activation(node.output[0]) : undefined;
  if (!out) return 0;
  const outElements = product(out);
  const inputs = node.input ?? [];
  switch (node.opType) {
    case 'Conv': {
      const w = dimsOf(inputs[1], shapes);
      return w && w.length >= 2 ? outElements * product(w.slice(1)) : 0;
    }
    case 'ConvTranspose': {
      const w = dimsOf(inputs[1], shapes);
      const x = dimsOf(inputs[0], shapes);
      return w && x && w.length >= 2 ? product(x) * product(w.slice(1)) : 0;
    }
    case 'Gemm': {
      const b = dimsOf(inputs[1], shapes);
      if (b?.length !== 2) return 0;
      const k = intAttribute(node, 'transB', 0) ? b[1]! : b[0]!;
      return outElements * k;
    }
    case 'MatMul': {
      const a = dimsOf(inputs[0], shapes);
      return a && a.length >= 1 ? outElements * a[a.length - 1]! : 0;
    }
    case 'BatchNormalization':
    case 'InstanceNormalization':
    case 'LayerNormalization':
      return outElements;
    default:
      return 0;
  }
}

/** The dimensions of every initializer of a graph, by name. */
export function weightDims(initializers: readonly TensorProto[]): Map<string, readonly number[]> {
  return new Map(initializers.map((t) => [t.name ?? '', (t.dims ?? []).map(Number)]));
}

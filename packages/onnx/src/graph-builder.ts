import { ArgumentError, type GateAttribute, type GateGraph, type GateTensorType } from '@offramp/core';
import { encodeModel, floatValueInfo, floatValueInfoDims, type GraphProto, type NodeProto, onnx, type TensorProto, type ValueInfoProto } from './proto.js';

/** A float tensor on the host: row-major values of the given shape. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export type AttributeValue = GateAttribute | { readonly graph: GraphProto };

/** ONNX element type codes of the tensor types a graph builder creates. */
export const TENSOR_TYPE: Readonly<Record<GateTensorType, number>> = Object.freeze({
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
});

/** ONNX opset the exported graphs use. */
export const OPSET = 13;

function floatTensor(name: string, tensor: HostTensor): TensorProto {
  const bytes = new Uint8Array(tensor.values.length * 4);
  const view = new DataView(bytes.buffer);
  tensor.values.forEach((v, i) => {
    view.setFloat32(i * 4, v, true);
  });
  return { name, dataType: onnx.TensorProto.DataType.FLOAT, dims: [...tensor.shape], rawData: bytes };
}

function typedTensor(name: string, values: readonly number[], type: GateTensorType, shape: readonly number[]): TensorProto {
  const dims = [...shape];
  const base = { name, dataType: TENSOR_TYPE[type], dims };
  switch (type) {
    case 'float32':
      return { ...base, floatData: [...values] };
    case 'float64':
      return { ...base, doubleData: [...values] };
    case 'int64':
      return { ...base, int64Data: [...values] };
    default:
      return { ...base, int32Data: values.map((v) => (type === 'bool' ? (v ? 1 : 0) : v)) };
  }
}

function attribute(name: string, value: AttributeValue) {
  const { AttributeType } = onnx.AttributeProto;
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  if ('string' in value) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
  if ('graph' in value) return { name, type: AttributeType.GRAPH, g: value.graph };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

/**
 * Collects nodes and weights of one graph, then encodes it as an ONNX model with onnx-proto (or
 * returns it as a graph, e.g. the branch of an If). Implements core's GateGraph, so gates build
 * their graph form into it.
 */
export class GraphBuilder implements GateGraph {
  readonly #nodes: NodeProto[] = [];
  readonly #initializers: TensorProto[] = [];
  #counter = 0;

  /** `opset`: the ONNX opset the model declares (default OPSET; 17 adds LayerNormalization). */
  constructor(
    readonly prefix: string,
    readonly opset: number = OPSET,
  ) {}

  /** A fresh tensor name under the builder's prefix. */
  fresh(base: string): string {
    this.#counter += 1;
    return `${this.prefix}/${base}_${this.#counter}`;
  }

  weight(base: string, tensor: HostTensor): string {
    const name = this.fresh(base);
    this.#initializers.push(floatTensor(name, tensor));
    return name;
  }

  /** Adds a node and returns the name of its (single) output. */
  node(op: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.#push(op, inputs, attributes, [out]);
    return out;
  }

  /** Adds a node with `count` outputs and returns their names in order. */
  nodeOutputs(
    op: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>>,
    count: number,
  ): string[] {
    const outputs = Array.from({ length: count }, () => this.fresh(op.toLowerCase()));
    this.#push(op, inputs, attributes, outputs);
    return outputs;
  }

  #push(op: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>>, outputs: string[]): void {
    this.#nodes.push({
      opType: op,
      name: this.fresh(`${op}_node`),
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
  }

  /** A constant (an initializer) of the given element type: a scalar, a vector, or of `shape`. */
  constant(values: number | readonly number[], type: GateTensorType, shape?: readonly number[]): string {
    const list = typeof values === 'number' ? [values] : [...values];
    const dims = shape ?? (typeof values === 'number' ? [] : [list.length]);
    const size = dims.reduce((p, d) => p * d, 1);
    if (size !== list.length || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ArgumentError({ field: 'constant shape', expected: `${list.length} values in all`, received: `shape [${dims.join(', ')}]` });
    }
    if (type !== 'float32' && type !== 'float64' && !list.every(Number.isInteger)) {
      throw new ArgumentError({ field: 'constant values', expected: `whole numbers for ${type}`, received: JSON.stringify(list.slice(0, 8)) });
    }
    const name = this.fresh(`const_${type}`);
    this.#initializers.push(typedTensor(name, list, type, dims));
    return name;
  }

  cast(x: string, type: GateTensorType): string {
    return this.node('Cast', [x], { to: { int: TENSOR_TYPE[type] } });
  }

  /** Appends nodes and initializers made elsewhere (names already unique, e.g. an inlined model). */
  append(nodes: readonly NodeProto[], initializers: readonly TensorProto[] = []): void {
    this.#nodes.push(...nodes);
    this.#initializers.push(...initializers);
  }

  /** The nodes and initializers as a graph with these inputs and outputs (a model's graph or a subgraph). */
  toGraph(name: string, inputs: readonly ValueInfoProto[], outputs: readonly ValueInfoProto[]): GraphProto {
    return { name, node: [...this.#nodes], initializer: [...this.#initializers], input: [...inputs], output: [...outputs] };
  }

  /** Renames the output of the last node (so a graph output gets a stable name). */
  renameLast(name: string): string {
    const last = this.#nodes[this.#nodes.length - 1];
    if (!last?.output) return name;
    last.output = [name];
    return name;
  }

  toModel(
    inputs: readonly { name: string; shape: readonly number[] }[],
    outputs: readonly { name: string; shape: readonly number[] }[],
  ): Uint8Array {
    return this.#encode(
      inputs.map((v) => floatValueInfo(v.name, v.shape)),
      outputs.map((v) => floatValueInfo(v.name, v.shape)),
    );
  }

  /** The graph as a model whose float inputs and outputs have these whole dimensions (strings are symbolic). */
  toModelWithDims(
    inputs: readonly { name: string; dims: readonly (number | string)[] }[],
    outputs: readonly { name: string; dims: readonly (number | string)[] }[],
  ): Uint8Array {
    return this.#encode(
      inputs.map((v) => floatValueInfoDims(v.name, v.dims)),
      outputs.map((v) => floatValueInfoDims(v.name, v.dims)),
    );
  }

  #encode(inputs: ValueInfoProto[], outputs: ValueInfoProto[]): Uint8Array {
    return encodeModel({
      irVersion: 7,
      producerName: 'offramp',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: this.prefix,
        node: this.#nodes,
        initializer: this.#initializers,
        input: inputs,
        output: outputs,
      },
    });
  }
}

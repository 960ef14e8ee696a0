import { encodeModel, floatValueInfo, type NodeProto, onnx, type TensorProto } from './proto.js';

/** A float tensor on the host: row-major values of the given shape. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export type AttributeValue = { readonly int: number } | { readonly ints: readonly number[] } | { readonly float: number };

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

function attribute(name: string, value: AttributeValue) {
  const { AttributeType } = onnx.AttributeProto;
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

/** Collects nodes and weights of one graph, then encodes it as an ONNX model with onnx-proto. */
export class GraphBuilder {
  readonly #nodes: NodeProto[] = [];
  readonly #initializers: TensorProto[] = [];
  #counter = 0;

  constructor(readonly prefix: string) {}

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
  node(op: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.#nodes.push({
      opType: op,
      name: this.fresh(`${op}_node`),
      input: [...inputs],
      output: [out],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return out;
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
    return encodeModel({
      irVersion: 7,
      producerName: 'offramp',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.prefix,
        node: this.#nodes,
        initializer: this.#initializers,
        input: inputs.map((v) => floatValueInfo(v.name, v.shape)),
        output: outputs.map((v) => floatValueInfo(v.name, v.shape)),
      },
    });
  }
}

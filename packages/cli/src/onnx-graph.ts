import { OnnxModelError } from '@offramp/onnx';
import onnxProto from 'onnx-proto';

/** The ONNX protobuf messages (onnx-proto's generated classes). */
export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** A decoded model with a graph of nodes and outputs. */
export interface DecodedModel {
  readonly model: ModelProto;
  readonly graph: GraphProto & { readonly node: NodeProto[] };
}

/** Decodes an ONNX model; a file that does not decode or has no graph is an OnnxModelError naming `field`. */
export function decodeOnnx(bytes: Uint8Array, field: string): DecodedModel {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new OnnxModelError({
      field,
      expected: 'a complete ONNX model (protobuf ModelProto)',
      received: `${bytes.length} bytes that do not decode (${error instanceof Error ? error.message : String(error)})`,
    });
  }
  const graph = model.graph;
  if (!graph?.node || graph.node.length === 0 || !graph.output || graph.output.length === 0) {
    throw new OnnxModelError({
      field,
      expected: 'an ONNX model with a graph of nodes and outputs',
      received: `${bytes.length} bytes without a complete graph`,
    });
  }
  return { model, graph: graph as GraphProto & { node: NodeProto[] } };
}

export function encodeOnnx(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Names of the graph's initializers (weights). */
export function initializerNames(graph: GraphProto): Set<string> {
  return new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
}

/** Dimensions of a value info: numbers, or the symbolic name of a free axis. */
export function valueDims(info: ValueInfoProto): (number | string)[] {
  return (info.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0)));
}

import onnxProto from 'onnx-proto';
import { OnnxModelError } from './errors.js';

/** The ONNX protobuf messages (generated from onnx.proto by the onnx-proto package). */
export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** Decodes an ONNX model, turning a truncated or corrupt file into an OnnxModelError. */
export function decodeModel(bytes: Uint8Array, field: string): ModelProto {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new OnnxModelError({ field, expected: 'the bytes of an ONNX model', received: 'no bytes' });
  }
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new OnnxModelError({
      field,
      expected: 'a complete ONNX model (protobuf ModelProto)',
      received: `${bytes.length} bytes that do not decode (${error instanceof Error ? error.message : String(error)}); is the file truncated?`,
    });
  }
  const graph = model.graph;
  if (!graph?.node || graph.node.length === 0 || !graph.output || graph.output.length === 0) {
    throw new OnnxModelError({
      field,
      expected: 'an ONNX model with a graph of nodes and outputs',
      received: `${bytes.length} bytes without a complete graph; is the file truncated?`,
    });
  }
  return model;
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** A float ValueInfo with a symbolic batch axis `N` followed by the per-sample shape. */
export function floatValueInfo(name: string, sampleShape: readonly number[]): ValueInfoProto {
  return floatValueInfoDims(name, ['N', ...sampleShape]);
}

/** A float ValueInfo of the given dimensions: numbers are fixed sizes, strings symbolic ones. */
export function floatValueInfoDims(name: string, dims: readonly (number | string)[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

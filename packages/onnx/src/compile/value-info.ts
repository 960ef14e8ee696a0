import type { GateTensorType } from '@offramp/core';
import { TENSOR_TYPE } from '../graph-builder.js';
import type { ValueInfoProto } from '../proto.js';

/**
 * A typed ValueInfo. With `sampleShape` the shape is the symbolic batch axis `N` followed by it;
 * without, only the element type is given (subgraph outputs, whose row count varies per call).
 */
export function typedValueInfo(name: string, type: GateTensorType, sampleShape?: readonly number[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: TENSOR_TYPE[type],
        ...(sampleShape ? { shape: { dim: [{ dimParam: 'N' }, ...sampleShape.map((d) => ({ dimValue: d }))] } } : {}),
      },
    },
  };
}

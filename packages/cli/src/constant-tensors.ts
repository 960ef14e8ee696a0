import type { GraphProto } from './onnx-graph.js';
import { initializerNames } from './onnx-graph.js';

/**
 * Names of the tensors that do not depend on the model's input: initializers, Constant outputs,
 * and outputs of nodes that read only those. A cut never has to carry them across.
 */
export function constantTensors(graph: GraphProto): Set<string> {
  const constant = initializerNames(graph);
  for (const node of graph.node ?? []) {
    const inputs = (node.input ?? []).filter((name) => name !== '');
    const fixed = node.opType === 'Constant' || (inputs.length > 0 && inputs.every((name) => constant.has(name)));
    if (fixed) for (const out of node.output ?? []) constant.add(out);
  }
  return constant;
}

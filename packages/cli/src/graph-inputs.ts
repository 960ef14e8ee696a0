import { OnnxModelError } from '@offramp/onnx';
import { type GraphProto, initializerNames, valueDims } from './onnx-graph.js';

/** The model's one data input: its name and per-sample shape (the batch axis dropped). */
export interface ModelInput {
  readonly name: string;
  readonly shape: readonly number[];
}

/** The single non-weight input of the graph, with a batch axis and a fixed per-sample shape. */
export function modelInput(graph: GraphProto, field: string): ModelInput {
  const weights = initializerNames(graph);
  const inputs = (graph.input ?? []).filter((v) => !weights.has(v.name ?? ''));
  if (inputs.length !== 1) {
    throw new OnnxModelError({
      field: `${field}.graph.input`,
      expected: 'exactly one (non-weight) input',
      received: `${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')})`,
    });
  }
  const dims = valueDims(inputs[0]!);
  const shape = dims.slice(1);
  if (dims.length < 2 || !shape.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new OnnxModelError({
      field: `${field}.graph.input[0]`,
      expected: 'an input with a batch axis and a fixed per-sample shape',
      received: JSON.stringify(dims),
    });
  }
  return { name: inputs[0]!.name ?? '', shape };
}

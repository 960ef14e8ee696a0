import { OnnxModelError } from './errors.js';
import type { GraphProto } from './proto.js';

/** A graph's one data input: its name, per-sample shape (batch axis dropped) and batch axis. */
export interface GraphInput {
  readonly name: string;
  readonly shape: readonly number[];
  /** The first dimension: a symbol (a free batch axis) or a fixed number. */
  readonly batch: string | number;
}

/** The single non-weight input of `graph`, with a batch axis and a fixed per-sample shape; else an OnnxModelError under `field`. */
export function graphInput(graph: GraphProto, field: string): GraphInput {
  const weights = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((v) => !weights.has(v.name ?? ''));
  if (inputs.length !== 1) {
    throw new OnnxModelError({
      field: `${field}.graph.input`,
      expected: 'exactly one (non-weight) input',
      received: `${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')})`,
    });
  }
  const input = inputs[0]!;
  const dims = (input.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0)));
  const shape = dims.slice(1);
  if (dims.length < 2 || !shape.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new OnnxModelError({
      field: `${field}.graph.input[0]`,
      expected: 'a model input with a batch axis and a fixed per-sample shape',
      received: JSON.stringify(dims),
    });
  }
  return { name: input.name ?? '', shape, batch: dims[0]! };
}

import { createRng } from '@offramp/core';
import type { OrtRuntime } from '@offramp/onnx';
import type { ModelInput } from './graph-inputs.js';
import { type DecodedModel, encodeOnnx } from './onnx-graph.js';

/** What the probe saw of one tensor: its per-sample shape (batch axis dropped) and element type. */
export interface ProbedTensor {
  readonly shape: readonly number[];
  readonly type: string;
}

/**
 * Runs the model once on `batch` random samples (uniform in [0, 1), seeded) with every node output
 * made a graph output, and returns each tensor's per-sample shape and element type. Tensors whose
 * first axis is not the batch (shapes, constants) keep their full shape and are marked by `batched: false`.
 */
export async function probeTensors(
  runtime: OrtRuntime,
  decoded: DecodedModel,
  input: ModelInput,
  options: { readonly batch?: number; readonly seed?: number } = {},
): Promise<Map<string, ProbedTensor & { readonly batched: boolean }>> {
  const batch = options.batch ?? 1;
  const { model, graph } = decoded;
  const declared = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const names = [...new Set(graph.node.flatMap((n) => n.output ?? []))].filter((name) => name !== '');
  const extra = names.filter((name) => !declared.has(name)).map((name) => ({ name }));
  const bytes = encodeOnnx({ ...model, graph: { ...graph, output: [...(graph.output ?? []), ...extra] } });
  const session = await runtime.InferenceSession.create(bytes);
  try {
    const rng = createRng(options.seed ?? 0);
    const size = input.shape.reduce((a, b) => a * b, 1) * batch;
    const data = Float32Array.from({ length: size }, () => rng.next());
    const fetches = session.outputNames.filter((name) => names.includes(name) || declared.has(name));
    const result = await session.run({ [input.name]: new runtime.Tensor('float32', data, [batch, ...input.shape]) }, fetches);
    const out = new Map<string, ProbedTensor & { batched: boolean }>();
    for (const [name, tensor] of Object.entries(result)) {
      const dims = [...tensor.dims];
      const batched = dims.length >= 1 && dims[0] === batch;
      out.set(name, { shape: batched ? dims.slice(1) : dims, type: tensor.type, batched });
      tensor.dispose?.();
    }
    return out;
  } finally {
    await session.release();
  }
}

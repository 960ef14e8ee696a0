import { checkWholeNumber, createRng, shapeSize } from '@offramp/core';
import { OnnxModelError } from './errors.js';
import { graphInput } from './graph-input.js';
import { decodeModel, encodeModel } from './proto.js';
import { runSession } from './run-session.js';
import type { OrtRuntime, OrtSession, OrtSessionOptions } from './runtime.js';

/** What a probe run saw of one tensor. */
export interface ProbedTensor {
  /** Per-sample shape (the batch axis dropped) when `batched`, else the full shape. */
  readonly shape: readonly number[];
  /** onnxruntime's element type, e.g. 'float32' or 'int64'. */
  readonly type: string;
  /** Whether the first axis is the batch (shapes, constants and such are not batched). */
  readonly batched: boolean;
}

export interface ProbeOptions {
  /** Samples in the probe batch (default 1). */
  readonly batch?: number;
  /** Seed of the probe's uniform [0, 1) input (default 0). */
  readonly seed?: number;
  readonly sessionOptions?: OrtSessionOptions;
}

/** `batch` seeded samples of `sampleShape`, uniform in [0, 1): the input of a probe run. */
export function probeInput(sampleShape: readonly number[], batch: number, seed = 0): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shapeSize(sampleShape) * batch }, () => rng.next());
}

/**
 * A session for a probe run. onnxruntime's warnings are off (a declared output shape that the graph does
 * not give is what a probe is there to find; the caller reports it), errors stay on. A graph that
 * onnxruntime refuses is an OnnxModelError naming `field`.
 */
export async function probeSession(
  runtime: OrtRuntime,
  model: Uint8Array,
  field: string,
  sessionOptions: OrtSessionOptions = {},
): Promise<OrtSession> {
  try {
    return await runtime.InferenceSession.create(model, { logSeverityLevel: 3, ...sessionOptions });
  } catch (error) {
    throw new OnnxModelError({
      field,
      expected: 'a graph onnxruntime can load',
      received: `an onnxruntime error: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

/**
 * Runs a model once on a seeded random batch (uniform in [0, 1)) with every node output made a graph
 * output, and returns each tensor's shape and element type by name: how to find the tensors a model
 * can be cut at (`importOnnxBackbone`'s exits) and the per-sample shape of each.
 */
export async function probeTensors(
  runtime: OrtRuntime,
  model: Uint8Array,
  options: ProbeOptions = {},
  field = 'model',
): Promise<Map<string, ProbedTensor>> {
  const batch = options.batch ?? 1;
  checkWholeNumber(batch, 1, 'options.batch');
  const decoded = decodeModel(model, field);
  const graph = decoded.graph!;
  const input = graphInput(graph, field);
  const declared = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const names = [...new Set((graph.node ?? []).flatMap((n) => n.output ?? []))].filter((name) => name !== '');
  const extra = names.filter((name) => !declared.has(name)).map((name) => ({ name }));
  const bytes = encodeModel({ ...decoded, graph: { ...graph, output: [...(graph.output ?? []), ...extra] } });
  const session = await probeSession(runtime, bytes, field, options.sessionOptions);
  try {
    const data = probeInput(input.shape, batch, options.seed);
    const fetches = session.outputNames.filter((name) => names.includes(name) || declared.has(name));
    const feeds = { [input.name]: new runtime.Tensor('float32', data, [batch, ...input.shape]) };
    const result = await runSession(session, feeds, fetches, `${field} (probe run)`);
    const out = new Map<string, ProbedTensor>();
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

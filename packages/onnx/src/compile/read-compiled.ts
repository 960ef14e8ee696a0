import { OnnxModelError } from '../errors.js';
import { decodeModel } from '../proto.js';
import type { CompiledEarlyExitModel } from './compile-early-exit.js';

function fixedDims(dims: readonly { dimValue?: unknown }[] | null | undefined): number[] | undefined {
  if (!dims || dims.length < 1) return undefined;
  const sample = dims.slice(1).map((d) => Number(d.dimValue ?? 0));
  return sample.every((d) => Number.isInteger(d) && d > 0) ? sample : undefined;
}

/**
 * The description of a compiled model read back from its bytes (e.g. a file written earlier): input
 * shape and classes from the graph's declared shapes, gate, exits and thresholds from its metadata.
 */
export function readCompiledModel(bytes: Uint8Array, field = 'model'): CompiledEarlyExitModel {
  const model = decodeModel(bytes, field);
  const graph = model.graph!;
  const meta = new Map((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const input = graph.input?.find((v) => v.name === 'input');
  const logits = graph.output?.find((v) => v.name === 'logits');
  const inputShape = fixedDims(input?.type?.tensorType?.shape?.dim);
  const classes = fixedDims(logits?.type?.tensorType?.shape?.dim)?.[0];
  const exits = Number(meta.get('offramp.exits'));
  let thresholds: unknown;
  try {
    thresholds = JSON.parse(meta.get('offramp.thresholds') ?? 'null');
  } catch {
    thresholds = null;
  }
  const names = new Set((graph.output ?? []).map((v) => v.name));
  const complete = ['logits', 'exit', 'score', 'prediction'].every((n) => names.has(n));
  if (!inputShape || !classes || !Number.isInteger(exits) || exits < 1 || !Array.isArray(thresholds) || !complete) {
    throw new OnnxModelError({
      field,
      expected: 'a model made by compileEarlyExit (input `input`, outputs logits / exit / score / prediction, offramp metadata)',
      received: 'a model without them',
    });
  }
  return {
    model: bytes,
    input: 'input',
    outputs: { logits: 'logits', exit: 'exit', score: 'score', prediction: 'prediction' },
    inputShape,
    classes,
    exits,
    gate: meta.get('offramp.gate') ?? '',
    // A closed exit (+Infinity) is written as null in JSON.
    thresholds: Float64Array.from(thresholds as (number | null)[], (t) => t ?? Number.POSITIVE_INFINITY),
    opset: Number((model.opsetImport ?? []).find((o) => (o.domain ?? '') === '')?.version ?? 0),
  };
}

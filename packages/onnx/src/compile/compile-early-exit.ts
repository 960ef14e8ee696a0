import { type Gate, GateNotCompilableError, resolveThresholds } from '@offramp/core';
import type { OnnxBundle } from '../bundle.js';
import { GraphBuilder } from '../graph-builder.js';
import { encodeModel } from '../proto.js';
import { COMPILED_OPSET, openBundleParts } from './bundle-parts.js';
import { buildLevel } from './exit-level.js';
import { typedValueInfo } from './value-info.js';

/** A gate and its thresholds (one per exit before the last, or one number for all); an ExitPolicy fits. */
export interface CompilePolicy {
  readonly gate: Gate;
  readonly thresholds: number | ArrayLike<number>;
}

export interface CompileOptions {
  /** The graph's name inside the model. Default 'offramp-early-exit'. */
  readonly name?: string;
}

/** Names of the compiled model's tensors. */
export interface CompiledIo {
  /** float32 [N, ...inputShape]. */
  readonly input: 'input';
  readonly outputs: {
    /** float32 [N, classes]: the logits of the exit each row took. */
    readonly logits: 'logits';
    /** int32 [N]: the exit each row took. */
    readonly exit: 'exit';
    /** float32 [N]: the gate's score at that exit (NaN at the last exit when the gate defines none there). */
    readonly score: 'score';
    /** int32 [N]: argmax of the softmax at that exit (the first class on ties). */
    readonly prediction: 'prediction';
  };
}

/** One self-contained ONNX model that runs early exit inside the graph. */
export interface CompiledEarlyExitModel extends CompiledIo {
  readonly model: Uint8Array;
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly exits: number;
  readonly gate: string;
  readonly thresholds: Float64Array;
  readonly opset: number;
}

const IO: CompiledIo = Object.freeze({
  input: 'input',
  outputs: Object.freeze({ logits: 'logits', exit: 'exit', score: 'score', prediction: 'prediction' }),
});

function thresholdList(thresholds: number | ArrayLike<number>): number | number[] {
  return typeof thresholds === 'number' ? thresholds : Array.from(thresholds);
}

/**
 * Compiles a bundle and a gate with its thresholds into one ONNX model that does early exit itself:
 * stage, head, softmax and the gate's score at each exit; rows with score >= threshold leave; the
 * rest run the remaining stages alone (an If per exit skips them when no row is left) and their
 * results are scattered back, so every output comes in input order. One session call per batch.
 * Throws GateNotCompilableError for a gate without an ONNX form, core's CountMismatchError /
 * ThresholdRangeError for bad thresholds, and an InputShapeError naming the field when the bundle's
 * graphs disagree on shapes.
 */
export function compileEarlyExit(bundle: OnnxBundle, policy: CompilePolicy, options: CompileOptions = {}): CompiledEarlyExitModel {
  const gate = policy.gate;
  if (!gate.onnx) throw new GateNotCompilableError(gate.name);
  const parts = openBundleParts(bundle);
  const { exits, classes, inputShape } = parts.manifest;
  const thresholds = resolveThresholds(gate, thresholdList(policy.thresholds), exits, 'policy.thresholds');

  const root = new GraphBuilder('ee');
  const outputs = buildLevel({ parts, gate, lowering: gate.onnx, thresholds, exits, classes }, root, 0, IO.input, undefined);
  root.node('Identity', [outputs.logits], {}, IO.outputs.logits);
  root.node('Identity', [outputs.exit], {}, IO.outputs.exit);
  root.node('Identity', [outputs.score], {}, IO.outputs.score);
  root.node('Identity', [outputs.prediction], {}, IO.outputs.prediction);
  const graph = root.toGraph(
    options.name ?? 'offramp-early-exit',
    [typedValueInfo(IO.input, 'float32', inputShape)],
    [
      typedValueInfo(IO.outputs.logits, 'float32', [classes]),
      typedValueInfo(IO.outputs.exit, 'int32', []),
      typedValueInfo(IO.outputs.score, 'float32', []),
      typedValueInfo(IO.outputs.prediction, 'int32', []),
    ],
  );
  const model = encodeModel({
    irVersion: 8,
    producerName: 'offramp',
    opsetImport: [
      { domain: '', version: COMPILED_OPSET },
      ...[...parts.extraOpsets].map(([domain, version]) => ({ domain, version })),
    ],
    metadataProps: [
      { key: 'offramp.gate', value: gate.name },
      { key: 'offramp.exits', value: String(exits) },
      { key: 'offramp.thresholds', value: JSON.stringify(Array.from(thresholds)) },
    ],
    graph,
  });
  return {
    ...IO,
    model,
    inputShape: [...inputShape],
    classes,
    exits,
    gate: gate.name,
    thresholds,
    opset: COMPILED_OPSET,
  };
}

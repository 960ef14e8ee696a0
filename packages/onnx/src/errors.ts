import { type ErrorDetails, OfframpError } from '@offramp/core';

/** An ONNX file that does not decode, is truncated, or lacks what the caller asked for. */
export class OnnxModelError extends OfframpError {
  constructor(details: ErrorDetails, hint?: string) {
    super('ARGUMENT_INVALID', details, hint);
  }
}

/** A tensor named as an exit point (or stage boundary) does not exist in the model's graph. */
export class MissingTensorError extends OfframpError {
  readonly tensor: string;
  constructor(tensor: string, field: string, known: readonly string[]) {
    const sample = known.slice(0, 12).map((k) => JSON.stringify(k)).join(', ');
    super('ARGUMENT_INVALID', {
      field,
      expected: `the name of a tensor in the model (e.g. ${sample}${known.length > 12 ? ', ...' : ''})`,
      received: JSON.stringify(tensor),
    });
    this.tensor = tensor;
  }
}

/** onnxruntime failed while running a graph: names the graph and the stage or exit it was running for. */
export class OnnxRunError extends OfframpError {
  constructor(details: ErrorDetails) {
    super('RUN_FAILED', details);
  }
}

import { ArgumentError, CountMismatchError, EmptyBatchError, InputShapeError, type Trace } from '@offramp/core';

/** Checks that a trace has samples and `labels` holds one class index in [0, classes) per sample. */
export function checkLabels(trace: Trace, labels: Int32Array, field = 'labels'): void {
  if (trace.n === 0) throw new EmptyBatchError('trace');
  if (!(labels instanceof Int32Array)) {
    throw new InputShapeError({
      field,
      expected: 'an Int32Array of class indices',
      received: labels === null ? 'null' : typeof labels,
    });
  }
  if (labels.length !== trace.n) {
    throw new CountMismatchError({
      field: `${field}.length`,
      expected: `${trace.n} labels (one per sample of the trace)`,
      received: String(labels.length),
    });
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= trace.classes) {
      throw new ArgumentError({
        field: `${field}[${i}]`,
        expected: `a class index in [0, ${trace.classes - 1}]`,
        received: String(label),
      });
    }
  }
}

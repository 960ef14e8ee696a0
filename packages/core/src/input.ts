import { EmptyBatchError, InputShapeError, NonFiniteInputError } from './errors.js';
import { shapeSize } from './math.js';

/** Checks a host batch: a positive whole batch size, the right length, and only finite values. */
export function validateInput(
  data: Float32Array,
  batch: number,
  inputShape: readonly number[],
  field = 'input',
): void {
  if (!(data instanceof Float32Array)) {
    throw new InputShapeError({
      field,
      expected: 'a Float32Array',
      received: data === null ? 'null' : typeof data,
    });
  }
  if (!Number.isInteger(batch) || batch < 0) {
    throw new InputShapeError({
      field: 'batch',
      expected: 'a whole number of samples',
      received: String(batch),
    });
  }
  if (batch === 0 || data.length === 0) throw new EmptyBatchError(field);
  const perSample = shapeSize(inputShape);
  if (data.length !== batch * perSample) {
    throw new InputShapeError({
      field: `${field}.length`,
      expected: `${batch * perSample} values (${batch} samples of shape [${inputShape.join(', ')}])`,
      received: `${data.length} values`,
    });
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new NonFiniteInputError(field, i, data[i]!);
  }
}

import { InputShapeError, NonFiniteInputError } from '@offramp/core';

/** The JSON body of a prediction: one sample, flat or nested (e.g. 28 x 28 x 1), row-major. */
export interface JsonPredictBody {
  readonly input: unknown;
}

/** Deepest nesting of arrays a sample may come in (a sample of rank 4 needs 4). */
const MAX_DEPTH = 16;

/** Nested arrays of numbers, flattened in order without recursion (a body nested thousands deep is a 4xx, not a crash). */
function flatten(value: unknown, out: number[], field: string): void {
  const todo: { value: unknown; field: string; depth: number }[] = [{ value, field, depth: 0 }];
  while (todo.length > 0) {
    const next = todo.pop()!;
    if (Array.isArray(next.value)) {
      if (next.depth >= MAX_DEPTH) {
        throw new InputShapeError({ field: next.field, expected: `a number (arrays nested at most ${MAX_DEPTH} deep)`, received: 'a deeper array' });
      }
      for (let i = next.value.length - 1; i >= 0; i--) todo.push({ value: next.value[i], field: `${next.field}[${i}]`, depth: next.depth + 1 });
      continue;
    }
    if (typeof next.value !== 'number') {
      throw new InputShapeError({ field: next.field, expected: 'a number', received: next.value === null ? 'null' : typeof next.value });
    }
    out.push(next.value);
  }
}

function checkValues(values: Float32Array, inputSize: number, inputShape: readonly number[], field: string): Float32Array {
  if (values.length !== inputSize) {
    throw new InputShapeError({
      field: `${field}.length`,
      expected: `${inputSize} values (one sample of shape [${inputShape.join(', ')}])`,
      received: `${values.length} values`,
    });
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new NonFiniteInputError(field, i, values[i]!);
  }
  return values;
}

/** One sample from a JSON body `{ "input": [...] }`. */
export function sampleFromJson(body: unknown, inputShape: readonly number[], inputSize: number): Float32Array {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('input' in body)) {
    throw new InputShapeError({
      field: 'body',
      expected: 'a JSON object { "input": [numbers] }',
      received: body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body === 'object' ? 'an object without "input"' : typeof body,
    });
  }
  const values: number[] = [];
  flatten((body as JsonPredictBody).input, values, 'input');
  return checkValues(Float32Array.from(values), inputSize, inputShape, 'input');
}

/** One sample from a binary body: prod(inputShape) float32 values, little-endian. */
export function sampleFromBinary(body: Buffer, inputShape: readonly number[], inputSize: number): Float32Array {
  if (body.length % 4 !== 0) {
    throw new InputShapeError({
      field: 'body',
      expected: `${inputSize * 4} bytes (${inputSize} float32 values, little-endian)`,
      received: `${body.length} bytes`,
    });
  }
  const values = new Float32Array(body.length / 4);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return checkValues(values, inputSize, inputShape, 'body');
}

/** Row-wise softmax of a batch x classes array, accumulated in float64. */
export function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let start = 0; start < logits.length; start += classes) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[start + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[start + c]! - max);
    for (let c = 0; c < classes; c++) out[start + c] = Math.exp(logits[start + c]! - max) / sum;
  }
  return out;
}

/** Index of the largest value of each row (the first one on ties). */
export function argmaxRows(values: Float32Array, classes: number): Int32Array {
  const rows = values.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = values[r * classes]!;
    for (let c = 1; c < classes; c++) {
      const v = values[r * classes + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/** Cosine similarity of matching rows of two batch x size arrays (0 when a row is all zeros). */
export function cosineRows(a: Float32Array, b: Float32Array, size: number): Float32Array {
  const rows = a.length / size;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let k = r * size; k < (r + 1) * size; k++) {
      dot += a[k]! * b[k]!;
      na += a[k]! * a[k]!;
      nb += b[k]! * b[k]!;
    }
    out[r] = na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
  }
  return out;
}

/** Gathers whole rows of a row-major array. */
export function takeRows(values: Float32Array, size: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * size);
  for (let i = 0; i < rows.length; i++) {
    const from = rows[i]! * size;
    out.set(values.subarray(from, from + size), i * size);
  }
  return out;
}

/** The product of a shape's dimensions. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The arrays one after another in one new array. */
export function concatFloats(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The median (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

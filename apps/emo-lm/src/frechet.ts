import { ArgumentError } from '@offramp/core';

/** Eigenvalues of a symmetric matrix (row-major n x n) and eigenvectors as columns, by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (matrix.length !== n * n) {
    throw new ArgumentError({ field: 'matrix.length', expected: `${n * n} (n x n)`, received: String(matrix.length) });
  }
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]!), vectors: v };
}

function meanAndCovariance(rows: Float64Array, count: number, dim: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j]! += rows[i * dim + j]! / count;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) {
      const dj = rows[i * dim + j]! - mean[j]!;
      for (let k = j; k < dim; k++) cov[j * dim + k]! += (dj * (rows[i * dim + k]! - mean[k]!)) / (count - 1);
    }
  }
  for (let j = 0; j < dim; j++) for (let k = 0; k < j; k++) cov[j * dim + k] = cov[k * dim + j]!;
  return { mean, cov };
}

function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += aik * b[k * n + j]!;
    }
  return out;
}

/** Square root of a symmetric positive semi-definite matrix (negative eigenvalues from rounding count as 0). */
export function sqrtSymmetric(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const out = new Float64Array(n * n);
  for (let e = 0; e < n; e++) {
    const root = Math.sqrt(Math.max(values[e]!, 0));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j]! += root * vectors[i * n + e]! * vectors[j * n + e]!;
  }
  return out;
}

/**
 * Frechet distance between Gaussians fitted to two sets of feature rows (row-major, `dim` per row):
 * |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a^1/2 S_b S_a^1/2)^1/2).
 */
export function frechetDistance(a: Float64Array, b: Float64Array, dim: number): number {
  if (!Number.isInteger(dim) || dim < 1 || a.length % dim !== 0 || b.length % dim !== 0) {
    throw new ArgumentError({ field: 'dim', expected: 'a whole number dividing both feature arrays', received: String(dim) });
  }
  const na = a.length / dim;
  const nb = b.length / dim;
  if (na < 2 || nb < 2) {
    throw new ArgumentError({ field: 'rows', expected: 'at least 2 feature rows in each set', received: `${na} and ${nb}` });
  }
  const A = meanAndCovariance(a, na, dim);
  const B = meanAndCovariance(b, nb, dim);
  let meanTerm = 0;
  for (let j = 0; j < dim; j++) meanTerm += (A.mean[j]! - B.mean[j]!) ** 2;
  const rootA = sqrtSymmetric(A.cov, dim);
  const middle = matMul(matMul(rootA, B.cov, dim), rootA, dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) middle[i * dim + j] = middle[j * dim + i] = (middle[i * dim + j]! + middle[j * dim + i]!) / 2;
  const { values } = symmetricEigen(middle, dim);
  let trace = 0;
  for (let j = 0; j < dim; j++) trace += A.cov[j * dim + j]! + B.cov[j * dim + j]!;
  for (const value of values) trace -= 2 * Math.sqrt(Math.max(value, 0));
  return meanTerm + trace;
}

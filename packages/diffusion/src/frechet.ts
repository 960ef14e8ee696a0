import { ArgumentError, checkWholeNumber, CountMismatchError, InputShapeError } from '@offramp/core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Mean and covariance of a set of feature vectors (a Gaussian fitted to them). */
export interface GaussianStatistics {
  readonly mean: Float64Array;
  /** d x d, row-major, the unbiased estimate (divided by n - 1). */
  readonly covariance: Float64Array;
  readonly dim: number;
}

/** Mean and unbiased covariance of n feature vectors of size `dim` stored row after row. */
export function gaussianStatistics(features: ArrayLike<number>, dim: number): GaussianStatistics {
  checkWholeNumber(dim, 1, 'dim');
  if (features.length % dim !== 0) {
    throw new InputShapeError({ field: 'features.length', expected: `a multiple of dim (${dim})`, received: String(features.length) });
  }
  const n = features.length / dim;
  if (n < 2) throw new InputShapeError({ field: 'features', expected: 'at least 2 vectors', received: String(n) });
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += features[i * dim + j]! / n;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) centred[j] = features[i * dim + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) {
      const ca = centred[a]!;
      for (let b = a; b < dim; b++) covariance[a * dim + b]! += ca * centred[b]!;
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const value = covariance[a * dim + b]! / (n - 1);
      covariance[a * dim + b] = value;
      covariance[b * dim + a] = value;
    }
  }
  return { mean, covariance, dim };
}

function toMatrix(values: Float64Array, dim: number): Matrix {
  return new Matrix(Array.from({ length: dim }, (_, i) => Array.from(values.subarray(i * dim, (i + 1) * dim))));
}

function symmetricEigen(m: Matrix): { values: number[]; vectors: Matrix } {
  const sym = m.add(m.transpose()).div(2);
  const evd = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  return { values: evd.realEigenvalues, vectors: evd.eigenvectorMatrix };
}

/** Square root of a symmetric positive semi-definite matrix (negative eigenvalues from rounding become 0). */
export function symmetricSqrt(m: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(m);
  const root = Matrix.diag(values.map((v) => Math.sqrt(Math.max(0, v))));
  return vectors.mmul(root).mmul(vectors.transpose());
}

/**
 * Frechet distance between two Gaussians:
 * |m1 - m2|^2 + tr(C1) + tr(C2) - 2 tr sqrt(C1^(1/2) C2 C1^(1/2)),
 * the last trace from the eigenvalues of the symmetric matrix C1^(1/2) C2 C1^(1/2) (the FID formula).
 */
export function frechetDistance(a: GaussianStatistics, b: GaussianStatistics): number {
  if (a.dim !== b.dim) {
    throw new CountMismatchError({ field: 'b.dim', expected: `${a.dim} (a's feature size)`, received: String(b.dim) });
  }
  const d = a.dim;
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (a.mean[j]! - b.mean[j]!) ** 2;
  const c1 = toMatrix(a.covariance, d);
  const c2 = toMatrix(b.covariance, d);
  const root1 = symmetricSqrt(c1);
  const { values } = symmetricEigen(root1.mmul(c2).mmul(root1));
  const traceRoot = values.reduce((sum, v) => sum + Math.sqrt(Math.max(0, v)), 0);
  const distance = meanTerm + c1.trace() + c2.trace() - 2 * traceRoot;
  if (!Number.isFinite(distance)) {
    throw new ArgumentError({ field: 'statistics', expected: 'finite means and covariances', received: String(distance) });
  }
  return Math.max(0, distance);
}

import { ArgumentError } from '@offramp/core';
import { checkOpenUnit } from './probs-input.js';

function checkCounts(losses: number, n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new ArgumentError({ field: 'n', expected: 'a whole number >= 1', received: String(n) });
  if (!(Number.isInteger(losses) && losses >= 0 && losses <= n)) {
    throw new ArgumentError({ field: 'losses', expected: `a whole number in [0, ${n}]`, received: String(losses) });
  }
}

/**
 * Exact binomial p-value of the null "risk > epsilon" after `losses` 0/1 losses in n samples:
 * P(Binomial(n, epsilon) <= losses), summed in log space so large n does not underflow.
 */
export function binomialPValue(losses: number, n: number, epsilon: number): number {
  checkCounts(losses, n);
  checkOpenUnit(epsilon, 'epsilon');
  if (losses === n) return 1;
  const logRatio = Math.log(epsilon) - Math.log1p(-epsilon);
  let logTerm = n * Math.log1p(-epsilon); // log P(X = 0)
  let logSum = logTerm;
  for (let j = 0; j < losses; j++) {
    logTerm += Math.log(n - j) - Math.log(j + 1) + logRatio;
    const hi = Math.max(logSum, logTerm);
    logSum = hi + Math.log(Math.exp(logSum - hi) + Math.exp(logTerm - hi));
  }
  return Math.min(1, Math.exp(logSum));
}

/** Hoeffding p-value of "risk > epsilon" for losses in [0, 1] with mean `risk` over n samples: exp(-2 n (epsilon - risk)_+^2). */
export function hoeffdingPValue(risk: number, n: number, epsilon: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new ArgumentError({ field: 'n', expected: 'a whole number >= 1', received: String(n) });
  if (!(risk >= 0 && risk <= 1)) throw new ArgumentError({ field: 'risk', expected: 'a mean loss in [0, 1]', received: String(risk) });
  checkOpenUnit(epsilon, 'epsilon');
  const gap = Math.max(0, epsilon - risk);
  return Math.exp(-2 * n * gap * gap);
}

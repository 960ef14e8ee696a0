import { ArgumentError } from '@offramp/core';

/*
 * The entropy gates score s = 1 - H / ln C, so for a score threshold t:
 *   s >= t  <=>  H <= (1 - t) ln C.
 * DeeBERT's rule "exit when H < tau" thus maps to t = 1 - tau / ln C, except that a sample whose
 * entropy equals tau exactly exits here (<=) and does not there (<).
 */

function checkClasses(classes: number): number {
  if (!Number.isInteger(classes) || classes < 2) {
    throw new ArgumentError({ field: 'classes', expected: 'a whole number >= 2', received: String(classes) });
  }
  return Math.log(classes);
}

/** Score threshold t = 1 - tau / ln C of an entropy threshold tau (nats, in [0, ln C]). */
export function entropyToScoreThreshold(entropy: number, classes: number): number {
  const logC = checkClasses(classes);
  if (!(Number.isFinite(entropy) && entropy >= 0 && entropy <= logC)) {
    throw new ArgumentError({
      field: 'entropy',
      expected: `an entropy in nats in [0, ln ${classes} = ${logC}]`,
      received: String(entropy),
    });
  }
  return 1 - entropy / logC;
}

/** Entropy threshold tau = (1 - t) ln C (nats) of a score threshold t in [0, 1]. */
export function scoreToEntropyThreshold(score: number, classes: number): number {
  const logC = checkClasses(classes);
  if (!(Number.isFinite(score) && score >= 0 && score <= 1)) {
    throw new ArgumentError({ field: 'score', expected: 'a score threshold in [0, 1]', received: String(score) });
  }
  return (1 - score) * logC;
}

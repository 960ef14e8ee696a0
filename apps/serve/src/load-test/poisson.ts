import { ArgumentError, createRng } from '@offramp/core';

/**
 * Arrival times (milliseconds from the start) of a Poisson process with `ratePerS` arrivals per
 * second, over `durationS` seconds: independent exponential gaps of mean 1000 / ratePerS ms, drawn
 * from a seeded generator (the same seed gives the same schedule).
 */
export function poissonArrivals(ratePerS: number, durationS: number, seed: number): Float64Array {
  if (!(Number.isFinite(ratePerS) && ratePerS > 0)) {
    throw new ArgumentError({ field: 'ratePerS', expected: 'a finite rate > 0 (requests per second)', received: String(ratePerS) });
  }
  if (!(Number.isFinite(durationS) && durationS > 0)) {
    throw new ArgumentError({ field: 'durationS', expected: 'a finite duration > 0 (seconds)', received: String(durationS) });
  }
  const rng = createRng(seed);
  const meanGapMs = 1000 / ratePerS;
  const endMs = durationS * 1000;
  const out: number[] = [];
  let t = 0;
  for (;;) {
    // 1 - u is in (0, 1]: the logarithm stays finite.
    t += -Math.log(1 - rng.next()) * meanGapMs;
    if (t >= endMs) break;
    out.push(t);
  }
  return Float64Array.from(out);
}

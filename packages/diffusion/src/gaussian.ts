import { checkWholeNumber, type Rng } from '@offramp/core';

/** `n` standard normal draws from `rng` (Box-Muller: two uniforms give two independent normals). */
export function gaussianNoise(rng: Rng, n: number): Float32Array {
  checkWholeNumber(n, 0, 'n');
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - rng.next();
    const u2 = rng.next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    out[i] = radius * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

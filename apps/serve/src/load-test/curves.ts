import type { PointResult } from './drive.js';

/**
 * p50 latency at throughput `x`, by linear interpolation along a policy's curve. Below the curve's
 * lowest throughput (one client already served faster than `x`), the p50 of that lowest point: a
 * lighter load does not raise latency, so it bounds the p50 at `x` from above. Null above the curve
 * (the policy never reached that throughput).
 */
export function p50AtThroughput(points: readonly PointResult[], x: number): number | null {
  const sorted = [...points].filter((p) => p.answered > 0).sort((a, b) => a.throughput - b.throughput);
  if (sorted.length > 0 && x < sorted[0]!.throughput) return sorted[0]!.latency.p50;
  for (let k = 0; k < sorted.length; k++) {
    const b = sorted[k]!;
    if (b.throughput === x) return b.latency.p50;
    if (k === 0) continue;
    const a = sorted[k - 1]!;
    if (a.throughput <= x && x <= b.throughput) {
      const t = (x - a.throughput) / (b.throughput - a.throughput);
      return a.latency.p50 + t * (b.latency.p50 - a.latency.p50);
    }
  }
  return null;
}

import { describe, expect, it } from 'vitest';
import { p50AtThroughput } from '../src/load-test/curves.js';
import { emptyRawPoint, type PointResult, quantile, summarize } from '../src/load-test/drive.js';

function point(throughput: number, p50: number): PointResult {
  return {
    connections: 1,
    durationS: 1,
    answered: 1,
    throughput,
    latency: { p50, p90: p50, p99: p50, mean: p50 },
    serverP50: p50,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    accuracy: 1,
    agreement: 1,
    meanCost: 1,
    exitCounts: [1],
  };
}

describe('load-test arithmetic, on hand-computed numbers', () => {
  it('quantiles interpolate between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([10, 20], 0.99)).toBeCloseTo(19.9, 10);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('p50 at a throughput: interpolated on the curve, the lowest point below it, null above it', () => {
    const curve = [point(2000, 3), point(1000, 1)];
    expect(p50AtThroughput(curve, 1500)).toBe(2);
    expect(p50AtThroughput(curve, 1000)).toBe(1);
    expect(p50AtThroughput(curve, 500)).toBe(1);
    expect(p50AtThroughput(curve, 2500)).toBeNull();
  });

  it('summarises pooled runs: throughput over the summed duration, accuracy over scored answers', () => {
    const raw = emptyRawPoint();
    raw.latencies.push(4, 1, 3, 2);
    raw.server.push(0.5, 0.5, 1, 1);
    raw.exitCounts.push(3, 1);
    raw.durationS = 2;
    raw.right = 3;
    raw.agree = 4;
    raw.cost = 1;
    const s = summarize(raw, 8);
    expect(s).toMatchObject({ connections: 8, answered: 4, throughput: 2, accuracy: 0.75, agreement: 1, meanCost: 0.25 });
    expect(s.latency.p50).toBe(2.5);
    expect(s.latency.mean).toBe(2.5);
    expect(s.serverP50).toBe(0.75);
    expect(s.exitCounts).toEqual([3, 1]);
  });
});

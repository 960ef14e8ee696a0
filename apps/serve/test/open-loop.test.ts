import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { emptyRawPoint } from '../src/load-test/drive.js';
import { type Clock, driveSchedule, type Outcome } from '../src/load-test/open-loop-driver.js';
import { openLoopMarkdown } from '../src/load-test/open-loop-report.js';
import { poissonArrivals } from '../src/load-test/poisson.js';
import type { OpenLoopReport } from '../src/load-test/report-types.js';
import { runOpenLoop, summarizeOpenLoop } from '../src/load-test/run-open-loop.js';

function gaps(arrivals: Float64Array): number[] {
  return Array.from(arrivals, (t, k) => t - (k === 0 ? 0 : arrivals[k - 1]!));
}

describe('Poisson arrivals', () => {
  it('are seeded: the same seed gives the same schedule, another seed another one', () => {
    expect(poissonArrivals(500, 2, 3)).toEqual(poissonArrivals(500, 2, 3));
    expect(poissonArrivals(500, 2, 4)).not.toEqual(poissonArrivals(500, 2, 3));
  });

  it('have the offered mean rate and exponential gaps (mean, coefficient of variation, P(gap < mean))', () => {
    // 1000 req/s for 10 s: about 10,000 arrivals (Poisson: sd 100).
    const arrivals = poissonArrivals(1000, 10, 11);
    expect(Math.abs(arrivals.length - 10_000)).toBeLessThan(400);
    const g = gaps(arrivals);
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    const sd = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / (g.length - 1));
    expect(mean).toBeGreaterThan(0.97);
    expect(mean).toBeLessThan(1.03);
    // An exponential distribution has sd = mean (CV 1), and P(gap < mean) = 1 - 1/e = 0.632.
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
    const below = g.filter((x) => x < mean).length / g.length;
    expect(Math.abs(below - (1 - Math.exp(-1)))).toBeLessThan(0.02);
    // Increasing, inside the duration.
    expect(g.every((x) => x >= 0)).toBe(true);
    expect(arrivals[arrivals.length - 1]!).toBeLessThan(10_000);
  });

  it('rejects a rate or duration that is not positive, naming the field', () => {
    expect(() => poissonArrivals(0, 1, 1)).toThrow(ArgumentError);
    expect(() => poissonArrivals(Number.NaN, 1, 1)).toThrow(/ratePerS/);
    expect(() => poissonArrivals(10, -1, 1)).toThrow(/durationS/);
  });
});

/** A clock that only moves when told: sleeping moves it to the wake-up time. */
function virtualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    sleepUntil(timeMs) {
      now = Math.max(now, timeMs);
      return Promise.resolve();
    },
  };
}

const ok: Outcome = { status: 200, body: '{}' };

describe('open-loop driver', () => {
  it('counts latency from the scheduled arrival: a sender that holds the generator shows as queueing and lateness', async () => {
    // Arrivals at 0, 1, 2, 3 ms; every send occupies the generator for 5 ms. Sent at 0, 5, 10, 15;
    // answered at 5, 10, 15, 20: latencies 5, 9, 13, 17 (from the schedule, not 5 each from sending),
    // late by 0, 4, 8, 12 ms: three requests more than 1 ms late.
    const clock = virtualClock();
    const latencies: number[] = [];
    const run = await driveSchedule(
      Float64Array.from([0, 1, 2, 3]),
      async () => {
        clock.advance(5);
        return ok;
      },
      (k, _outcome, latencyMs) => {
        latencies[k] = latencyMs;
      },
      clock,
    );
    expect(latencies).toEqual([5, 9, 13, 17]);
    expect(run).toEqual({ scheduled: 4, late: 3, maxLateMs: 12, spanMs: 20 });
  });

  it('does not wait for answers before sending the next request (open loop), on the real clock', async () => {
    // Ten arrivals in the first 0.9 ms to a server that answers one request at a time in 10 ms:
    // request k waits for the k before it, so its latency from its arrival is about 10 (k + 1) ms
    // (at least 9 (k + 1): a timer may fire up to a millisecond early).
    let busyUntil = Promise.resolve();
    let inFlight = 0;
    let peak = 0;
    const latencies: number[] = [];
    const slowServer = () => {
      peak = Math.max(peak, ++inFlight);
      const answered = busyUntil.then(() => new Promise<void>((resolve) => setTimeout(resolve, 10)));
      busyUntil = answered;
      return answered.then(() => {
        inFlight--;
        return ok;
      });
    };
    const run = await driveSchedule(
      Float64Array.from({ length: 10 }, (_, k) => k * 0.1),
      slowServer,
      (k, _o, latencyMs) => {
        latencies[k] = latencyMs;
      },
    );
    expect(run.scheduled).toBe(10);
    expect(peak).toBeGreaterThan(1);
    latencies.forEach((l, k) => {
      expect(l).toBeGreaterThan(9 * (k + 1));
    });
  });

  it('passes errors to the scorer as outcomes', async () => {
    const outcomes: Outcome[] = [];
    await driveSchedule(
      Float64Array.from([0]),
      () => Promise.reject(new Error('refused')),
      (_k, o) => outcomes.push(o),
      virtualClock(),
    );
    expect(outcomes).toEqual([{ error: new Error('refused') }]);
  });
});

describe('open-loop settings', () => {
  it('needs the full model among the policies when the rates are fractions of its capacity', async () => {
    const settings = {
      networks: ['net'],
      bundleDir: '/nonexistent',
      policies: ['continuous'] as const,
      fractions: [0.5],
      durationS: 1,
      warmupS: 0,
      capacityClients: 1,
      capacityS: 1,
      maxSockets: 1,
      maxBatch: 1,
      maxWaitMs: 0,
      maxQueue: 1,
      timeoutMs: 1,
      sampleFraction: 0,
      epsilon: 0.01,
      delta: 0.1,
      seed: 1,
      testSamples: 1,
      outDir: '/nonexistent',
      main: '/nonexistent',
      benchMain: '/nonexistent',
      log: () => {},
    };
    await expect(runOpenLoop(settings)).rejects.toThrow(ArgumentError);
    await expect(runOpenLoop(settings)).rejects.toThrow(/policies/);
  });
});

describe('open-loop report', () => {
  function point(offeredRate: number, p50: number, p99: number) {
    const raw = emptyRawPoint();
    raw.latencies.push(p50, p50, p99);
    raw.server.push(0.1, 0.1, 0.1);
    raw.exitCounts.push(2, 1);
    raw.durationS = 1.5;
    raw.right = 3;
    raw.agree = 2;
    raw.cost = 1.5;
    raw.non2xx = 1;
    return summarizeOpenLoop(raw, { scheduled: 4, late: 1, maxLateMs: 2, spanMs: 1500 }, offeredRate, 1000);
  }

  it('summarises a point: achieved rate over the span, fraction of capacity, lateness', () => {
    const p = point(300, 1, 4);
    expect(p).toMatchObject({ offeredRate: 300, fractionOfCapacity: 0.3, scheduled: 4, late: 1, answered: 3, throughput: 2, non2xx: 1 });
    expect(p.latency.p50).toBe(1);
    expect(p.accuracy).toBe(1);
    expect(p.agreement).toBeCloseTo(2 / 3, 12);
    expect(p.meanCost).toBe(0.5);
    expect('connections' in p).toBe(false);
  });

  it('tables every point and p50 / p99 side by side', () => {
    const report: OpenLoopReport = {
      date: '2026-01-01T00:00:00.000Z',
      node: '20.0.0',
      loadAverage: [0.5, 0.25, 1],
      settings: {
        networks: ['net'],
        policies: ['full', 'continuous'],
        fractions: [0.3, 0.6],
        durationS: 3,
        warmupS: 1,
        capacityClients: 16,
        capacityS: 3,
        maxSockets: 256,
        maxBatch: 32,
        maxWaitMs: 0,
        maxQueue: 256,
        timeoutMs: 2000,
        sampleFraction: 0,
        epsilon: 0.01,
        delta: 0.1,
        seed: 7,
        testSamples: 10,
      },
      networks: [
        {
          network: 'net',
          capacity: 1000,
          reference: {
            manifestThresholds: [0.9],
            thresholds: [0.9],
            certified: true,
            fullAccuracy: 1,
            earlyAccuracy: 1,
            earlyAgreement: 1,
            earlyMeanCost: 0.5,
          },
          runs: [
            { name: 'full', policy: 'full', points: [point(300, 1, 4), point(600, 2, 8)] },
            { name: 'continuous', policy: 'continuous', points: [point(300, 0.5, 3), point(600, 0.75, 12.75)] },
          ],
        },
      ],
    };
    const md = openLoopMarkdown(report);
    expect(md).toContain('load average before the run 0.50 / 0.25 / 1.00');
    expect(md).toContain('30%, 60% of the full model');
    expect(md).toContain('net 1,000 req/s');
    expect(md).toContain('| net | full | 300 | 30% | 2 | 1.00 | 3.40 | 3.94 | 0.10 | 100.00 | 66.67 | 0.500 | 1 | 0 | 1 / 4 |');
    expect(md).toContain('| offered (req/s) | of capacity | full | continuous |');
    expect(md).toContain('| 600 | 60% | 2.00 / 7.88 | 0.75 / 12.51 |');
  });
});

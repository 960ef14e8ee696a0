import { computeExitCosts, createRng } from '@offramp/core';
import { maxProbGate } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADAPTATION, ThresholdAdapter } from '../src/threshold-adapter.js';

/**
 * A synthetic stream with a known answer: 2 exits, 3 classes. Exit 0 predicts class 0 with max
 * probability p ~ U(1/3, 1); the last exit agrees (class 0) iff p >= 0.6, else says class 1. At a
 * threshold t < 0.6 the disagreement is P(t <= p < 0.6) = 1.5 (0.6 - t), so the loosest threshold
 * with disagreement <= 0.05 is t* = 0.6 - 0.05 / 1.5 = 0.5667; any t >= 0.6 has none.
 */
function syntheticRow(p: number): Float32Array[] {
  const early = Float32Array.from([Math.log(p), Math.log((1 - p) / 2), Math.log((1 - p) / 2)]);
  const last = p >= 0.6 ? Float32Array.from([4, 0, 0]) : Float32Array.from([0, 4, 0]);
  return [early, last];
}

const gate = maxProbGate.create({}, { exits: 2, classes: 3 });
const costs = computeExitCosts({ stageMacs: [10, 90], headMacs: [1, 1] });
const options = { ...DEFAULT_ADAPTATION, epsilon: 0.05, delta: 0.1, window: 3000, minSamples: 500, every: 250, candidates: 200 };

function feed(adapter: ThresholdAdapter, n: number, seed: number): void {
  const rng = createRng(seed);
  for (let i = 0; i < n; i++) adapter.observe(syntheticRow(1 / 3 + (2 / 3) * rng.next()));
}

describe('online threshold adaptation (Learn-then-Test over a sliding window)', () => {
  it('lowers a too strict threshold toward the constraint, and keeps it', () => {
    const adapter = new ThresholdAdapter(gate, costs, 3, [0.99], options);
    expect(adapter.status().state).toBe('initial');
    feed(adapter, 3000, 1);
    const [t] = adapter.thresholds;
    expect(adapter.status().state).toBe('certified');
    expect(t).toBeLessThan(0.7);
    // Certified: on the true distribution its disagreement 1.5 (0.6 - t) is within epsilon.
    expect(t).toBeGreaterThanOrEqual(0.5667 - 0.005);
    expect(adapter.windowDisagreement()!).toBeLessThanOrEqual(0.05);
  });

  it('raises a too loose threshold that breaks the constraint', () => {
    const adapter = new ThresholdAdapter(gate, costs, 3, [0.34], options);
    feed(adapter, 600, 2);
    expect(adapter.status().windowDisagreement).toBeLessThanOrEqual(0.05);
    expect(adapter.thresholds[0]).toBeGreaterThan(0.55);
    expect(adapter.status().updates).toBeGreaterThan(0);
  });

  it('falls back to the full model when no threshold can be certified', () => {
    // Exit 0 always disagrees, however confident, and 40 samples are too few to certify even the
    // strictest candidate (no exits: 0 losses, p-value 0.95^40 = 0.13 > delta).
    const adapter = new ThresholdAdapter(gate, costs, 3, [0.5], { ...options, minSamples: 40, every: 40 });
    for (let i = 0; i < 40; i++) adapter.observe([Float32Array.from([5, 0, 0]), Float32Array.from([0, 5, 0])]);
    expect(adapter.status().state).toBe('full-model');
    expect(adapter.thresholds).toEqual([Number.POSITIVE_INFINITY]);
    expect(adapter.windowDisagreement()).toBe(0);
  });

  it('rejects bad settings and bad rows with typed errors naming the field', () => {
    expect(() => new ThresholdAdapter(gate, costs, 3, [0.5], { ...options, epsilon: 0 })).toThrow(/adaptation\.epsilon/);
    expect(() => new ThresholdAdapter(gate, costs, 3, [0.5], { ...options, window: 1.5 })).toThrow(/adaptation\.window/);
    expect(() => new ThresholdAdapter(gate, costs, 3, [], options)).toThrow(/initial/);
    const adapter = new ThresholdAdapter(gate, costs, 3, [0.5], options);
    expect(() => adapter.observe([new Float32Array(3)])).toThrow(/logits/);
  });
});

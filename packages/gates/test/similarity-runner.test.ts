import { collectTrace, computeExitCosts, createRng, evaluateTrace, runEarlyExit, scoreTrace, createExitPolicy } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { batchCosine, similarityGate, wholeBatchExitLayer } from '../src/index.js';
import { createMlpEngine } from './mlp-engine.js';

const exits = 4;
const classes = 3;
const hiddenSize = 8;
const n = 60;
// input the same size as the hidden states, so the first exit has a cosine too
const engine = createMlpEngine({ seed: 3, inputSize: hiddenSize, hiddenSize, classes, exits });
const rng = createRng(5);
const input = Float32Array.from({ length: n * hiddenSize }, () => 2 * rng.next() - 1);

describe('similarity gate in the runner', () => {
  const gate = similarityGate.create({}, { exits, classes, hiddenSizes: [hiddenSize, hiddenSize, hiddenSize, hiddenSize] });
  const costs = computeExitCosts({
    stageMacs: engine.stageMacs,
    headMacs: engine.headMacs,
    gateMacs: [0, 1, 2].map((l) => gate.macs(l)),
  });

  it('exits where the per-sample cosine passes, the same in real early exit as on the trace', async () => {
    const trace = await collectTrace(engine, input, n, { similarity: true });
    const scores = scoreTrace(trace, gate, costs);
    expect(Array.from(scores[1]!)).toEqual(Array.from(trace.similarity![1]!));
    const threshold = Float64Array.from(scores[0]!).sort()[Math.floor(n / 2)]!;
    const expected = evaluateTrace(trace, gate, threshold, costs);
    expect(new Set(expected.exit).size).toBeGreaterThan(1);
    for (const batch of [1, 7, n]) {
      const exit = new Int32Array(n);
      for (let start = 0; start < n; start += batch) {
        const count = Math.min(batch, n - start);
        const result = await runEarlyExit(engine, createExitPolicy({ gate, thresholds: threshold, costs }), input.subarray(start * hiddenSize, (start + count) * hiddenSize), count);
        exit.set(result.exit, start);
      }
      expect(Array.from(exit)).toEqual(Array.from(expected.exit));
    }
    expect(engine.live()).toBe(0);
  });

  it('the whole-batch rule takes one decision for all, from the cosine of the flattened batch', async () => {
    const trace = await collectTrace(engine, input, n, { hidden: true });
    const previous = [input, ...trace.hidden!];
    const cosines = [0, 1, 2].map((l) => batchCosine(trace.hidden![l]!, previous[l]!));
    const threshold = (cosines[0]! + 1) / 2;
    const layer = wholeBatchExitLayer(cosines, threshold, exits);
    expect(layer).toBe(cosines.findIndex((c) => c >= threshold) === -1 ? 3 : cosines.findIndex((c) => c >= threshold));
  });
});

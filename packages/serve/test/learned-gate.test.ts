import { collectTrace, evaluateTrace } from '@offramp/core';
import type { OnnxValue } from '@offramp/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServedModel } from '../src/served-model.js';
import { createServer, DEFAULT_SERVER_OPTIONS } from '../src/server.js';
import { sample, tinyInputs, tinyModel } from './tiny-network.js';

const N = 48;
const inputs = tinyInputs(N, 5);
/** A JEI-DNN gate's trained weights (4 uncertainty features per gated exit), as a bundle's manifest stores them. */
const JEI = { weights: [[6, -2, 3, 1], [4, -1, 2, 0]], biases: [-2.3, -2.2] };
let model: ServedModel<OnnxValue>;

beforeAll(async () => {
  model = await tinyModel({ policy: { gate: 'jei', options: JEI, thresholds: [0.5, 0.45] } });
});
afterAll(async () => {
  await model?.release();
});

describe('a bundle whose manifest names a learned gate', () => {
  it('is served over HTTP with exactly the exits and predictions of trace evaluation', async () => {
    expect(model.policy.gate.name).toBe('jei');
    const trace = await collectTrace(model.engine, inputs, N);
    const expected = evaluateTrace(trace, model.policy.gate, model.policy.thresholds, model.policy.costs);
    expect(new Set(expected.exit).size).toBeGreaterThan(1);
    for (const policy of ['continuous', 'batch-exit', 'compiled'] as const) {
      const { app } = createServer(model, { ...DEFAULT_SERVER_OPTIONS, policy, maxBatch: 8, maxWaitMs: 1 });
      const replies = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          app.inject({ method: 'POST', url: '/v1/predict', payload: { input: Array.from(sample(inputs, i)) } }),
        ),
      );
      const answers = replies.map((r) => r.json() as { exit: number; prediction: number });
      expect(Int32Array.from(answers, (a) => a.exit)).toEqual(expected.exit);
      expect(Int32Array.from(answers, (a) => a.prediction)).toEqual(expected.prediction);
      await app.close();
    }
  });
});

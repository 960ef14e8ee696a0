import { computeExitCosts, createExitPolicy, evaluateTrace, type Gate } from '@offramp/core';
import { maxProbGate, patienceGate } from '@offramp/gates';
import { loadWebRuntime, OnnxEngine } from '@offramp/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleImage } from '../src/model/sample-file.js';
import { costsWithGate, defaultGate } from '../src/page/gate-choices.js';
import type { PageModel } from '../src/page/load-model.js';
import { predictOne } from '../src/page/predict.js';
import { loadCommittedModel } from './committed-model.js';

describe('predictOne on the committed network (onnxruntime-web in Node)', () => {
  let model: PageModel;
  let engine: OnnxEngine;

  beforeAll(async () => {
    model = await loadCommittedModel();
    engine = await OnnxEngine.create(await loadWebRuntime(), model.bundle);
  });

  afterAll(async () => {
    await engine?.release();
  });

  const cases: [string, (context: { exits: number; classes: number }) => Gate, number][] = [
    ['max-prob', (c) => defaultGate(maxProbGate, c), 0.9],
    ['patience', (c) => defaultGate(patienceGate, c), 1],
  ];

  for (const [name, makeGate, threshold] of cases) {
    it(`agrees with trace evaluation on every sample digit (${name})`, async () => {
      const gate = makeGate({ exits: engine.exits, classes: engine.classes });
      const costs = costsWithGate(model.bundle.manifest.macs, gate);
      const fromTrace = evaluateTrace(model.trace, gate, threshold, costs);
      for (let k = 0; k < model.samples.count; k++) {
        const index = model.samples.indices[k]!;
        const result = await predictOne(engine, createExitPolicy({ gate, thresholds: threshold, costs }), sampleImage(model.samples, k));
        expect(result.exit, `sample ${k}`).toBe(fromTrace.exit[index]);
        expect(result.prediction, `sample ${k}`).toBe(fromTrace.prediction[index]);
        expect(result.agrees).toBe(true);
        expect(result.rows.filter((r) => r.stopped).map((r) => r.exit)).toEqual([result.exit]);
        expect(result.rows[result.exit]!.prediction).toBe(result.prediction);
        expect(result.costVsBackbone).toBe(costs.relativeToBackbone[result.exit]);
        // Every exit's probabilities match the trace's row for this digit.
        result.rows.forEach((row, l) => {
          const traceRow = model.trace.probs[l]!.subarray(index * 10, index * 10 + 10);
          expect(row.confidence).toBeCloseTo(Math.max(...traceRow), 5);
        });
      }
    });
  }

  it('times the early-exit run with the clock it is given and reports MACs vs the backbone', async () => {
    const gate = defaultGate(maxProbGate, { exits: 3, classes: 10 });
    const costs = computeExitCosts({ stageMacs: model.bundle.manifest.macs.stages, headMacs: model.bundle.manifest.macs.heads });
    let t = 100;
    const result = await predictOne(engine, createExitPolicy({ gate, thresholds: 0, costs }), sampleImage(model.samples, 0), () => (t += 7));
    expect(result.milliseconds).toBe(7);
    expect(result.exit).toBe(0);
    expect(result.rows.map((r) => [r.reached, r.stopped])).toEqual([[true, true], [false, false], [false, false]]);
    expect(result.rows[2]!.score).toBeNull();
    expect(result.macs).toBe(costs.cumulativeMacs[0]);
  });
});

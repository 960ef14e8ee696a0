import { createExitPolicy, evaluateTrace, GateNotCompilableError, type Gate } from '@offramp/core';
import { maxProbGate, patienceGate } from '@offramp/gates';
import { loadWebRuntime, OnnxEngine, type OrtRuntime } from '@offramp/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleImage } from '../src/model/sample-file.js';
import { AnswerPaths, describeOutcome } from '../src/page/answer-path.js';
import { CompiledPath } from '../src/page/compiled-path.js';
import { compileGate } from '../src/page/custom-gate.js';
import { EXAMPLE_GATE } from '../src/page/example-gate.js';
import { costsWithGate, defaultGate } from '../src/page/gate-choices.js';
import type { PageModel } from '../src/page/load-model.js';
import { predictOne } from '../src/page/predict.js';
import { loadCommittedModel } from './committed-model.js';

describe('the compiled path on the committed network (onnxruntime-web in Node)', () => {
  let model: PageModel;
  let runtime: OrtRuntime;
  let engine: OnnxEngine;
  let path: CompiledPath;
  const context = { exits: 3, classes: 10 };

  beforeAll(async () => {
    model = await loadCommittedModel();
    runtime = await loadWebRuntime();
    engine = await OnnxEngine.create(runtime, model.bundle);
    path = new CompiledPath(runtime, model.bundle);
  });

  afterAll(async () => {
    await path?.release();
    await engine?.release();
  });

  const cases: [string, () => Gate, number][] = [
    ['max-prob', () => defaultGate(maxProbGate, context), 0.9],
    ['patience', () => defaultGate(patienceGate, context), 1],
  ];

  for (const [name, makeGate, threshold] of cases) {
    it(`gives the exit and prediction of trace evaluation and the JS runner on every sample digit (${name})`, async () => {
      const gate = makeGate();
      const policy = createExitPolicy({ gate, thresholds: threshold, costs: costsWithGate(model.bundle.manifest.macs, gate) });
      const fromTrace = evaluateTrace(model.trace, gate, policy.thresholds, policy.costs);
      expect(new Set(model.samples.indices.map((i) => fromTrace.exit[i])).size).toBeGreaterThan(1);
      for (let k = 0; k < model.samples.count; k++) {
        const image = sampleImage(model.samples, k);
        const answer = await path.run(policy, image);
        expect(answer.compiled).toBe(k === 0);
        const index = model.samples.indices[k]!;
        expect(answer.exit, `sample ${k}`).toBe(fromTrace.exit[index]);
        expect(answer.prediction, `sample ${k}`).toBe(fromTrace.prediction[index]);
        const js = await predictOne(engine, policy, image);
        expect([answer.exit, answer.prediction]).toEqual([js.exit, js.prediction]);
        expect(answer.confidence).toBeCloseTo(js.confidence, 5);
      }
    });
  }

  it('compiles again only when the gate or a threshold changes, timing with the clock it is given', async () => {
    const gate = defaultGate(maxProbGate, context);
    const costs = costsWithGate(model.bundle.manifest.macs, gate);
    const image = sampleImage(model.samples, 0);
    let t = 0;
    const clock = () => (t += 5);
    const first = await path.run(createExitPolicy({ gate, thresholds: 0.5, costs }), image, clock);
    expect([first.compiled, first.compileMilliseconds, first.milliseconds]).toEqual([true, 5, 5]);
    const again = await path.run(createExitPolicy({ gate, thresholds: 0.5, costs }), image, clock);
    expect([again.compiled, again.compileMilliseconds]).toEqual([false, 0]);
    expect((await path.run(createExitPolicy({ gate, thresholds: 0.6, costs }), image, clock)).compiled).toBe(true);
  });

  it('refuses a pasted gate without an ONNX form; the page then answers with the JS runner and says why', async () => {
    const gate = defaultGate(compileGate(EXAMPLE_GATE), context);
    const policy = createExitPolicy({ gate, costs: costsWithGate(model.bundle.manifest.macs, gate) });
    const image = sampleImage(model.samples, 0);
    await expect(path.run(policy, image)).rejects.toThrow(GateNotCompilableError);
    const js = await predictOne(engine, policy, image);
    const outcome = await new AnswerPaths(runtime, model.bundle).answer('compiled', policy, image, js);
    expect(outcome).toEqual({ path: 'js', unavailable: expect.stringContaining('top-two-ratio has no ONNX form') });
    expect(describeOutcome(outcome, js).data).toMatchObject({ path: 'js', compiled: 'unavailable' });
  });

  it('answers from the compiled graph when asked, and says whether the JS runner agrees', async () => {
    const gate = defaultGate(maxProbGate, context);
    const policy = createExitPolicy({ gate, thresholds: 0.9, costs: costsWithGate(model.bundle.manifest.macs, gate) });
    const image = sampleImage(model.samples, 3);
    const js = await predictOne(engine, policy, image);
    const paths = new AnswerPaths(runtime, model.bundle);
    const outcome = await paths.answer('compiled', policy, image, js);
    expect(outcome.path).toBe('compiled');
    const { data, text } = describeOutcome(outcome, js);
    expect(data).toMatchObject({ path: 'compiled', compiled: 'compiled', pathsAgree: 'true', jsExit: String(js.exit) });
    expect(text).toContain('The JS runner agrees');
    expect(await paths.answer('js', policy, image, js)).toEqual({ path: 'js' });
  });
});

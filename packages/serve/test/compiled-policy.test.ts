import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectTrace, createExitPolicy, evaluateTrace, GateNotCompilableError, runEarlyExit } from '@offramp/core';
import { patienceGate } from '@offramp/gates';
import type { OnnxValue } from '@offramp/onnx';
import { writeOnnxBundle } from '@offramp/onnx/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../src/answer.js';
import { compiledRunner } from '../src/batch-runners.js';
import { DynamicBatcher } from '../src/dynamic-batcher.js';
import { serve } from '../src/serve-command.js';
import type { ServedModel } from '../src/served-model.js';
import { createServer, DEFAULT_SERVER_OPTIONS } from '../src/server.js';
import { DEFAULT_ADAPTATION } from '../src/threshold-adapter.js';
import { CLASSES, sample, tinyBundle, tinyInputs, tinyModel } from './tiny-network.js';

const N = 96;
const inputs = tinyInputs(N);
let model: ServedModel<OnnxValue>;

beforeAll(async () => {
  model = await tinyModel();
});
afterAll(async () => {
  await model?.release();
});

/** The compiled policy of `served` behind a dynamic batcher, every sample submitted at once. */
async function compiledAnswers(served: ServedModel<OnnxValue>, maxBatch: number): Promise<Answer[]> {
  const batcher = new DynamicBatcher('compiled', served.inputSize, { maxBatch, maxWaitMs: 0.5 }, compiledRunner(served.compiler!.compile(served.policy)));
  return Promise.all(Array.from({ length: N }, (_, i) => batcher.submit(sample(inputs, i))));
}

describe('the compiled policy (early exit in one ONNX graph, dynamically batched)', () => {
  it('answers with the exit and prediction of evaluateTrace and the probs, cost and MACs of runEarlyExit', async () => {
    const trace = await collectTrace(model.engine, inputs, N);
    const expected = evaluateTrace(trace, model.policy.gate, model.policy.thresholds, model.policy.costs);
    expect(new Set(expected.exit).size).toBe(3);
    const js = await runEarlyExit(model.engine, model.policy, inputs, N);
    for (const maxBatch of [1, 8, 64]) {
      const answers = await compiledAnswers(model, maxBatch);
      expect(Int32Array.from(answers, (a) => a.exit)).toEqual(expected.exit);
      expect(Int32Array.from(answers, (a) => a.prediction)).toEqual(expected.prediction);
      answers.forEach((a, i) => {
        expect(a.cost).toBe(js.cost[i]);
        expect(a.macs).toBe(js.macs[i]);
        expect(a.probs).toHaveLength(CLASSES);
        a.probs.forEach((p, c) => {
          expect(p).toBeCloseTo(js.probs[i * CLASSES + c]!, 6);
        });
      });
    }
  });

  it('carries a history gate\'s state with each row (patience)', async () => {
    const gate = patienceGate.create({ patience: 1 }, { exits: 3, classes: CLASSES });
    const policy = createExitPolicy({ gate, thresholds: [1, 1], costs: model.policy.costs });
    const want = evaluateTrace(await collectTrace(model.engine, inputs, N), gate, policy.thresholds, policy.costs);
    expect(new Set(want.exit).size).toBeGreaterThan(1);
    const answers = await compiledAnswers({ ...model, policy }, 8);
    expect(Int32Array.from(answers, (a) => a.exit)).toEqual(want.exit);
    expect(Int32Array.from(answers, (a) => a.prediction)).toEqual(want.prediction);
  });

  it('is served over HTTP and says so in /v1/model and the metrics', async () => {
    const expected = evaluateTrace(await collectTrace(model.engine, inputs, N), model.policy.gate, model.policy.thresholds, model.policy.costs);
    const { app } = createServer(model, { ...DEFAULT_SERVER_OPTIONS, policy: 'compiled', maxBatch: 8, maxWaitMs: 1 });
    try {
      const replies = await Promise.all(
        Array.from({ length: N }, (_, i) => app.inject({ method: 'POST', url: '/v1/predict', payload: { input: Array.from(sample(inputs, i)) } })),
      );
      expect(replies.every((r) => r.statusCode === 200)).toBe(true);
      const answers = replies.map((r) => r.json() as Answer & { policy: string });
      expect(Int32Array.from(answers, (a) => a.exit)).toEqual(expected.exit);
      expect(Int32Array.from(answers, (a) => a.prediction)).toEqual(expected.prediction);
      expect(answers.every((a) => a.policy === 'compiled')).toBe(true);
      const info = (await app.inject({ method: 'GET', url: '/v1/model' })).json() as { policy: string; thresholds: number[] };
      expect(info.policy).toBe('compiled');
      expect(info.thresholds).toEqual(Array.from(model.policy.thresholds));
      expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain('policy="compiled"');
    } finally {
      await app.close();
    }
  });
});

describe('a bundle whose gate has no ONNX form (similarity)', () => {
  const similarity = { gate: 'similarity', thresholds: [0.8, 0.8] };

  it('refuses the compiled policy with GateNotCompilableError when the server is made, and serves the others', async () => {
    const served = await tinyModel({ policy: similarity });
    try {
      let thrown: unknown;
      try {
        createServer(served, { ...DEFAULT_SERVER_OPTIONS, policy: 'compiled' });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GateNotCompilableError);
      const error = thrown as GateNotCompilableError;
      expect(error.code).toBe('GATE_NOT_COMPILABLE');
      expect(error.gate).toBe('similarity');
      expect(error.field).toBe('manifest.policy.gate');
      expect(error.message).toMatch(/manifest\.policy\.gate: expected a gate with an ONNX form/);
      for (const policy of ['continuous', 'batch-exit', 'full'] as const) {
        const { app } = createServer(served, { ...DEFAULT_SERVER_OPTIONS, policy });
        const reply = await app.inject({ method: 'POST', url: '/v1/predict', payload: { input: Array.from(sample(inputs, 0)) } });
        expect(reply.statusCode).toBe(200);
        await app.close();
      }
    } finally {
      await served.release();
    }
  });

  it('makes `serve --policy compiled` fail at startup with that error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serve-compiled-'));
    try {
      await writeOnnxBundle(dir, tinyBundle(3, 0.55, similarity));
      await expect(
        serve({
          ...DEFAULT_SERVER_OPTIONS,
          bundle: dir,
          policy: 'compiled',
          host: '127.0.0.1',
          port: 0,
          threads: 1,
          sampleFraction: 0,
          adaptation: DEFAULT_ADAPTATION,
        }),
      ).rejects.toThrow(GateNotCompilableError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

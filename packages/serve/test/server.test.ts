import type { OnnxValue } from '@offramp/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServedModel } from '../src/served-model.js';
import { createServer, DEFAULT_SERVER_OPTIONS } from '../src/server.js';
import { DEFAULT_ADAPTATION } from '../src/threshold-adapter.js';
import { sample, tinyInputs, tinyModel } from './tiny-network.js';

const inputs = tinyInputs(8);
let model: ServedModel<OnnxValue>;
let slow: ServedModel<OnnxValue>;

beforeAll(async () => {
  model = await tinyModel();
  slow = await tinyModel({ delayMs: 150 });
});

afterAll(async () => {
  await model.release();
  await slow.release();
});

function binary(values: Float32Array): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    out.writeFloatLE(v, i * 4);
  });
  return out;
}

describe('POST /v1/predict', () => {
  it('answers JSON and binary inputs with prediction, probabilities, exit, cost and server time', async () => {
    const { app } = createServer(model);
    const x = sample(inputs, 0);
    const json = await app.inject({ method: 'POST', url: '/v1/predict', payload: { input: Array.from(x) } });
    expect(json.statusCode).toBe(200);
    const a = json.json();
    expect(Object.keys(a).sort()).toEqual(['cost', 'exit', 'macs', 'policy', 'prediction', 'probs', 'serverMs'].sort());
    expect(a.probs).toHaveLength(3);
    expect(a.probs.reduce((s: number, p: number) => s + p, 0)).toBeCloseTo(1, 5);
    expect(a.prediction).toBe(a.probs.indexOf(Math.max(...a.probs)));
    const bin = await app.inject({
      method: 'POST',
      url: '/v1/predict',
      headers: { 'content-type': 'application/octet-stream' },
      payload: binary(x),
    });
    expect(bin.statusCode).toBe(200);
    expect(bin.json().prediction).toBe(a.prediction);
    expect(bin.json().exit).toBe(a.exit);
    // A nested array of the same values is the same sample.
    const nested = await app.inject({ method: 'POST', url: '/v1/predict', payload: { input: [[x[0], x[1]], [x[2], x[3]]] } });
    expect(nested.json().prediction).toBe(a.prediction);
    await app.close();
  });

  it('answers bad input with a 4xx JSON error naming the problem', async () => {
    const { app } = createServer(model, { ...DEFAULT_SERVER_OPTIONS, bodyLimit: 1024 });
    const post = (payload: string | Buffer | object, type = 'application/json') =>
      app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': type }, payload });
    const wrongShape = await post({ input: [1, 2, 3] });
    expect(wrongShape.statusCode).toBe(400);
    expect(wrongShape.json().error).toMatchObject({ code: 'INPUT_SHAPE', field: 'input.length', received: '3 values' });
    const nan = await post(binary(Float32Array.from([0, Number.NaN, 0, 0])), 'application/octet-stream');
    expect(nan.statusCode).toBe(400);
    expect(nan.json().error.code).toBe('INPUT_NOT_FINITE');
    expect(nan.json().error.field).toMatch(/body/);
    const notNumber = await post({ input: [0, 'a', 0, 0] });
    expect(notNumber.statusCode).toBe(400);
    expect(notNumber.json().error.field).toBe('input[1]');
    const noInput = await post({ data: [0, 0, 0, 0] });
    expect(noInput.statusCode).toBe(400);
    const oddBytes = await post(Buffer.alloc(7), 'application/octet-stream');
    expect(oddBytes.statusCode).toBe(400);
    const malformed = await post('{"input": [1, 2,');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toMatch(/JSON/);
    const oversized = await post({ input: new Array(2000).fill(0) });
    expect(oversized.statusCode).toBe(413);
    expect(oversized.json().error.code).toBe('FST_ERR_CTP_BODY_TOO_LARGE');
    const unsupported = await post('1,2,3,4', 'text/csv');
    expect(unsupported.statusCode).toBe(415);
    expect(unsupported.json().error.code).toBe('FST_ERR_CTP_INVALID_MEDIA_TYPE');
    const missing = await app.inject({ method: 'GET', url: '/nothing' });
    expect(missing.statusCode).toBe(404);
    // Bodies nested 5,000 deep (10 KB): a 4xx naming the problem, never a 500 from a stack overflow.
    const big = createServer(model, { ...DEFAULT_SERVER_OPTIONS, bodyLimit: 64 * 1024 }).app;
    for (const payload of [`{"input": ${'['.repeat(5000)}1${']'.repeat(5000)}}`, `{"input": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`]) {
      const deep = await big.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json' }, payload });
      expect(deep.statusCode).toBe(400);
      expect(deep.json().error.field).toMatch(/^input/);
    }
    await big.close();
    await app.close();
  });

  it('answers a URL that does not decode with a 400 in the same JSON error shape', async () => {
    const { app } = createServer(model);
    const bad = await app.inject({ method: 'GET', url: '/%6e%/' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('FST_ERR_BAD_URL');
    expect(bad.json().error.message).toMatch(/not a valid url component/);
    await app.close();
  });

  it('refuses with 429 when the queue is full, and says when to retry', async () => {
    const { app } = createServer(slow, { ...DEFAULT_SERVER_OPTIONS, maxQueue: 2, maxWaitMs: 0 });
    const payload = { input: Array.from(sample(inputs, 1)) };
    const answers = await Promise.all(
      [0, 1, 2, 3].map(() => app.inject({ method: 'POST', url: '/v1/predict', payload })),
    );
    const codes = answers.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 200, 429, 429]);
    const refused = answers.find((r) => r.statusCode === 429)!;
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().error.code).toBe('QUEUE_FULL');
    await app.close();
  });

  it('times a request out with 504 when no answer comes in time', async () => {
    const { app } = createServer(slow, { ...DEFAULT_SERVER_OPTIONS, timeoutMs: 20 });
    const r = await app.inject({ method: 'POST', url: '/v1/predict', payload: { input: Array.from(sample(inputs, 2)) } });
    expect(r.statusCode).toBe(504);
    expect(r.json().error.code).toBe('TIMEOUT');
    await app.close();
  });
});

describe('health, readiness, metrics, adaptation', () => {
  it('reports health and readiness, and the Prometheus metrics', async () => {
    const { app } = createServer(model, { ...DEFAULT_SERVER_OPTIONS, policy: 'batch-exit' });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready', policy: 'batch-exit' });
    for (let i = 0; i < 5; i++) {
      await app.inject({ method: 'POST', url: '/v1/predict', payload: { input: Array.from(sample(inputs, i)) } });
    }
    await app.inject({ method: 'POST', url: '/v1/predict', payload: { input: [1] } });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = metrics.body;
    expect(text).toMatch(/offramp_requests_total\{status="200",policy="batch-exit"\} 5/);
    expect(text).toMatch(/offramp_requests_total\{status="400",policy="batch-exit"\} 1/);
    expect(text).toMatch(/offramp_request_duration_seconds_bucket\{le="0\.001",policy="batch-exit",outcome="ok"\} \d+/);
    expect(text).toMatch(/offramp_request_duration_seconds_count\{policy="batch-exit",outcome="ok"\} 5/);
    const exits = [...text.matchAll(/offramp_exits_total\{exit="(\d)",policy="batch-exit"\} (\d+)/g)];
    expect(exits.reduce((s, m) => s + Number(m[2]), 0)).toBe(5);
    expect(text).toMatch(/offramp_queue_depth\{policy="batch-exit"\} 0/);
    expect(text).toMatch(/offramp_stage_queue_rows\{stage="0",policy="batch-exit"\} 0/);
    await app.close();
  });

  it('reports the constraint it holds when adapting', async () => {
    const { app } = createServer(model, {
      ...DEFAULT_SERVER_OPTIONS,
      adaptation: { sampleFraction: 0.5, options: { ...DEFAULT_ADAPTATION, minSamples: 2, every: 2 } },
    });
    for (let i = 0; i < 8; i++) {
      await app.inject({ method: 'POST', url: '/v1/predict', payload: { input: Array.from(sample(inputs, i)) } });
    }
    const status = (await app.inject({ method: 'GET', url: '/v1/adaptation' })).json();
    expect(status).toMatchObject({ adapting: true, epsilon: 0.01, delta: 0.1, seen: 4, samples: 4, updates: 2 });
    expect(status.constraint).toMatch(/accuracy drop of at most 1 point\)/);
    expect(['certified', 'full-model']).toContain(status.state);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/offramp_threshold\{exit="0",policy="continuous"\}/);
    expect(metrics).toMatch(/offramp_constraint_epsilon\{policy="continuous"\} 0\.01/);
    await app.close();
  });
});

describe('graceful shutdown', () => {
  it('answers every request in flight, then stops listening', async () => {
    const { app, scheduler } = createServer(slow, { ...DEFAULT_SERVER_OPTIONS, maxWaitMs: 10_000, maxBatch: 64 });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const answers = [0, 1, 2, 3, 4].map((i) =>
      fetch(`${address}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: Array.from(sample(inputs, i)) }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { exit: number } })),
    );
    // Every request is queued, waiting (10 s bound) for a fuller batch, when the server is closed.
    while (scheduler.depth < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    await app.close();
    const done = await Promise.all(answers);
    expect(done.map((d) => d.status)).toEqual([200, 200, 200, 200, 200]);
    expect(done.every((d) => Number.isInteger(d.body.exit))).toBe(true);
    await expect(fetch(`${address}/healthz`)).rejects.toThrow();
  });
});

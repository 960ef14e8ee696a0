import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { OnnxValue } from '@offramp/onnx';
// The server from the same sources as the tiny network the serve package tests with.
import type { ServedModel } from '../../serve/src/served-model.js';
import { createServer, DEFAULT_SERVER_OPTIONS } from '../../serve/src/server.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyInputs, tinyModel } from '../../serve/test/tiny-network.js';
import { deepJson, jsonMutations } from './mutations.js';
import { SEED } from './tally.js';

interface FuzzRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: string | Buffer;
}

const valid = { input: Array.from(tinyInputs(1)) };
const bodyLimit = 4096;

const requests: fc.Arbitrary<FuzzRequest> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      method: fc.constant('POST'),
      url: fc.constant('/v1/predict'),
      contentType: fc.constant('application/json'),
      body: fc.oneof(
        { weight: 5, arbitrary: jsonMutations(valid) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((depth) => `{"input":${deepJson(depth, false)}}`) },
        { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
        { weight: 1, arbitrary: fc.integer({ min: bodyLimit, max: bodyLimit * 2 }).map((n) => `{"input":[${'1,'.repeat(n / 2)}1]}`) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      method: fc.constant('POST'),
      url: fc.constant('/v1/predict'),
      contentType: fc.constant('application/octet-stream'),
      body: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      url: fc.oneof(
        fc.constantFrom('/v1/predict', '/v1/model', '/healthz', '/readyz', '/v1/adaptation', '/v1/predict?x=1'),
        fc.stringMatching(/^\/[a-z0-9/%._-]{0,20}$/),
      ),
      contentType: fc.oneof(fc.constant(undefined), fc.stringMatching(/^[a-z]{1,8}\/[a-z-]{1,12}$/), fc.constant('application/json; charset=utf-16')),
      body: fc.oneof(fc.string({ maxLength: 32 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? '')),
    }),
  },
);

const cases = fc.sample(requests, { seed: SEED, numRuns: 400 });

function overTcp(port: number, r: FuzzRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = r.method !== 'GET' && r.method !== 'DELETE';
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
    const headers: Record<string, string | number> = sent ? { 'content-length': body.length } : {};
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    const req = httpRequest({ host: '127.0.0.1', port, method: r.method, path: r.url, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(sent ? body : undefined);
  });
}

/** Raw bytes no HTTP client would send: each must get a 4xx or a closed connection, never a 5xx or a crash. */
const RAW = [
  'GARBAGE\r\n\r\n',
  'POST /v1/predict\r\n\r\n',
  'POST /v1/predict HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n',
  'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
  'POST /v1/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'POST /v1/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
  `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`,
  'GET /healthz HTTP/1.1\r\nHost: x\0\r\n\r\n',
  'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"inp',
];

function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (chunk) => {
      got += chunk.toString('latin1');
    });
    const done = () => resolve(got.split('\r\n')[0] ?? '');
    socket.on('close', done);
    socket.on('error', done);
    socket.write(text);
    // A request cut short (fewer body bytes than announced) waits for the rest: end the stream to let the server decide.
    setTimeout(() => socket.end(), 200);
  });
}

describe('the server under fuzzed and malformed requests', () => {
  let model: ServedModel<OnnxValue>;
  beforeAll(async () => {
    model = await tinyModel();
  });
  afterAll(async () => {
    await model.release();
  });

  it('answers every fuzzed request with a 2xx or a 4xx JSON error, the same in-process and over TCP', async () => {
    const { app } = createServer(model, { ...DEFAULT_SERVER_OPTIONS, bodyLimit });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const statuses: Record<string, number> = {};
    let agreed = 0;
    for (const r of cases) {
      const injected = await app.inject({
        method: r.method as 'POST',
        url: r.url,
        headers: r.contentType === undefined ? {} : { 'content-type': r.contentType },
        payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : r.body,
      });
      statuses[injected.statusCode] = (statuses[injected.statusCode] ?? 0) + 1;
      expect(injected.statusCode, `${r.method} ${r.url} ${r.contentType} ${String(r.body).slice(0, 200)}`).toBeLessThan(500);
      if (injected.statusCode >= 400) {
        const body = injected.json() as { error?: { code?: unknown; message?: unknown } };
        expect(typeof body.error?.code, `${injected.statusCode} ${injected.body.slice(0, 300)} for ${r.method} ${r.url} ${r.contentType}`).toBe('string');
        expect(typeof body.error?.message).toBe('string');
      }
      if (await overTcp(port, r).then((status) => status === injected.statusCode)) agreed++;
    }
    const raw: Record<string, number> = {};
    for (const text of RAW) {
      const line = await rawExchange(port, text);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(line)?.[1] ?? 'closed';
      raw[status] = (raw[status] ?? 0) + 1;
      expect(status === 'closed' || Number(status) < 500, `${JSON.stringify(text.slice(0, 80))} -> ${line}`).toBe(true);
    }
    // Still serving.
    expect((await app.inject({ method: 'POST', url: '/v1/predict', payload: valid })).statusCode).toBe(200);
    await app.close();
    const summary = { cases: cases.length, statuses, agreedOverTcp: agreed, raw: { cases: RAW.length, statuses: raw } };
    console.log(`fuzz requests: ${JSON.stringify(summary)}`);
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('../results/requests.json', import.meta.url), `${JSON.stringify({ seed: SEED, ...summary }, null, 2)}\n`);
    expect(agreed).toBe(cases.length);
    expect(statuses['200'] ?? 0).toBeGreaterThan(10);
  });
});

import { connect, type Socket } from 'node:net';
import type { OnnxValue } from '@offramp/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServedModel } from '../src/served-model.js';
import { createServer, DEFAULT_SERVER_OPTIONS } from '../src/server.js';
import { tinyModel } from './tiny-network.js';

let model: ServedModel<OnnxValue>;
beforeAll(async () => {
  model = await tinyModel();
});
afterAll(async () => {
  await model.release();
});

/** Writes `text` to a raw connection and resolves with what came back and after how long the server closed it. */
function slowClient(port: number, text: string): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let reply = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
    });
    socket.on('close', () => resolve({ reply, closedAfterMs: performance.now() - started }));
    socket.on('error', () => undefined);
  });
}

describe('slow and idle clients', () => {
  it('times out headers that never end, bodies that never end and idle connections', async () => {
    const timeouts = { headersMs: 300, requestMs: 600, idleMs: 900, keepAliveMs: 200 };
    const { app } = createServer(model, { ...DEFAULT_SERVER_OPTIONS, connectionTimeouts: timeouts });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    try {
      const [headers, body, idle] = await Promise.all([
        slowClient(port, 'POST /v1/predict HTTP/1.1\r\nHost: x\r\n'),
        slowClient(port, 'POST /v1/predict HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"input"'),
        slowClient(port, ''),
      ]);
      expect(headers.reply).toMatch(/^HTTP\/1\.1 408/);
      expect(body.reply).toMatch(/^HTTP\/1\.1 408/);
      // Node checks the deadlines on an interval: closed well within a few timeouts, never held open.
      for (const c of [headers, body, idle]) expect(c.closedAfterMs).toBeLessThan(5000);
    } finally {
      await app.close();
    }
  }, 20_000);

  it('answers 503 with retry-after and connection: close on open connections while it drains, and the request in flight with 200', async () => {
    const slow = await tinyModel({ delayMs: 400 });
    const { app } = createServer(slow, { ...DEFAULT_SERVER_OPTIONS, timeoutMs: 5000 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const request = 'POST /v1/predict HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 22\r\n\r\n{"input": [0, 0, 0, 0]}'.replace('22', '23');
    /** The first answer on a connection (or '' when it closes without one). */
    const answerOf = (socket: Socket) =>
      new Promise<string>((resolve) => {
        socket.on('data', (chunk) => resolve(chunk.toString()));
        socket.on('close', () => resolve(''));
      });
    const open = () => new Promise<Socket>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
    });
    const busy = await open();
    const idle = await open();
    const busyAnswer = answerOf(busy);
    const idleAnswer = answerOf(idle);
    busy.write(request);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    idle.write(request);
    const refused = await Promise.race([idleAnswer, new Promise<string>((resolve) => setTimeout(() => resolve('no answer'), 3000))]);
    expect(refused).toMatch(/^HTTP\/1\.1 503/);
    expect(refused).toMatch(/retry-after: 1/i);
    expect(refused).toMatch(/"code":"CLOSING"/);
    expect(await busyAnswer).toMatch(/^HTTP\/1\.1 200/);
    busy.end();
    idle.end();
    await closing;
    await slow.release();
  }, 20_000);
});

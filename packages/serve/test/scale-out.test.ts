import type { AddressInfo } from 'node:net';
import type { OnnxValue } from '@offramp/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoundRobinProxy } from './round-robin-proxy.js';
import type { ServedModel } from '../src/served-model.js';
import { createServer, DEFAULT_SERVER_OPTIONS } from '../src/server.js';
import { sample, tinyInputs, tinyModel } from './tiny-network.js';

const N = 12;
const inputs = tinyInputs(N, 21);
const models: ServedModel<OnnxValue>[] = [];

beforeAll(async () => {
  models.push(await tinyModel(), await tinyModel());
});

afterAll(async () => {
  for (const m of models) await m.release();
});

describe('scale-out: stateless instances behind a round-robin proxy', () => {
  it('two instances answer exactly as one, whichever takes the request', async () => {
    const servers = models.map((m) => createServer(m, { ...DEFAULT_SERVER_OPTIONS, policy: 'continuous' }).app);
    const addresses = await Promise.all(servers.map((s) => s.listen({ port: 0, host: '127.0.0.1' })));
    const proxy = createRoundRobinProxy(addresses);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const ask = async (base: string, i: number) => {
      const r = await fetch(`${base}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: Array.from(sample(inputs, i)) }),
      });
      const { prediction, probs, exit, cost } = (await r.json()) as { prediction: number; probs: number[]; exit: number; cost: number };
      return { status: r.status, prediction, probs, exit, cost };
    };
    try {
      const direct = [];
      for (let i = 0; i < N; i++) direct.push(await ask(addresses[0]!, i));
      const viaProxy = await Promise.all(Array.from({ length: N }, (_, i) => ask(proxied, i)));
      expect(viaProxy).toEqual(direct);
      // Both instances took requests.
      for (const s of servers) {
        const text = (await s.inject({ method: 'GET', url: '/metrics' })).body;
        const served = Number(/offramp_requests_total\{status="200",policy="continuous"\} (\d+)/.exec(text)?.[1] ?? 0);
        expect(served).toBeGreaterThan(0);
      }
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
      for (const s of servers) await s.close();
    }
  });
});

import { Agent, request } from 'node:http';
import type { Outcome } from './open-loop-driver.js';

/** A keep-alive HTTP client for `POST /v1/predict` with binary bodies. */
export interface PredictClient {
  send(body: Buffer): Promise<Outcome>;
  /** Closes the kept-alive sockets. */
  close(): void;
}

/**
 * Node's http client on one keep-alive agent: up to `maxSockets` requests in flight on as many
 * connections (more wait in the agent's queue; their latency still counts from their schedule).
 */
export function predictClient(url: string, options: { readonly maxSockets: number; readonly timeoutMs: number }): PredictClient {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const target = new URL('/v1/predict', url);
  return {
    send: (body) =>
      new Promise<Outcome>((resolve) => {
        const req = request(
          target,
          { method: 'POST', agent, headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', (error) => resolve({ error }));
          },
        );
        req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
        req.on('error', (error) => resolve({ error }));
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

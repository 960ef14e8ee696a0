import { createServer, request, type Server } from 'node:http';
import { ArgumentError } from '@offramp/core';

/**
 * A minimal round-robin HTTP proxy for loopback tests of scale-out: each incoming request goes to
 * the next upstream in turn, headers and body passed through. Instances are stateless, so any load
 * balancer (nginx, Envoy, a Kubernetes Service) does the same job in production.
 */
export function createRoundRobinProxy(upstreams: readonly string[]): Server {
  if (upstreams.length === 0) throw new ArgumentError({ field: 'upstreams', expected: 'at least one URL', received: 'none' });
  const targets = upstreams.map((u) => new URL(u));
  let next = 0;
  return createServer((incoming, outgoing) => {
    const target = targets[next]!;
    next = (next + 1) % targets.length;
    const forward = request(
      {
        hostname: target.hostname,
        port: target.port,
        path: incoming.url,
        method: incoming.method,
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', (error) => {
      outgoing.writeHead(502, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: error.message } }));
    });
    incoming.pipe(forward);
  });
}

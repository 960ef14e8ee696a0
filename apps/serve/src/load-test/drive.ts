import type { Answer } from '@offramp/serve';
import autocannon from 'autocannon';
import type { LabelledSet } from './test-set.js';

/** One point of the load test: `connections` clients sending back to back for `durationS` seconds. */
export interface PointResult {
  readonly connections: number;
  readonly durationS: number;
  /** Answered with 200. */
  readonly answered: number;
  /** 200 answers per second. */
  readonly throughput: number;
  /** Client-side latency of the 200 answers, milliseconds (from autocannon's per-response times). */
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly mean: number };
  /** Median time inside the server, milliseconds. */
  readonly serverP50: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Accuracy of the answers served (the load test knows the labels). */
  readonly accuracy: number;
  /** Fraction of answers equal to the full model's prediction for the same image. */
  readonly agreement: number;
  readonly meanCost: number;
  readonly exitCounts: readonly number[];
}

/** What one or more runs at a load point gathered, before summarising. */
export interface RawPoint {
  readonly latencies: number[];
  readonly server: number[];
  readonly exitCounts: number[];
  durationS: number;
  right: number;
  agree: number;
  cost: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export function emptyRawPoint(): RawPoint {
  return { latencies: [], server: [], exitCounts: [], durationS: 0, right: 0, agree: 0, cost: 0, non2xx: 0, errors: 0, timeouts: 0 };
}

/** Adds a 200 answer's body to `raw`: right against `label`, agreeing with `fullPrediction`, its cost, server time and exit. */
export function scoreAnswer(raw: RawPoint, body: string, label: number, fullPrediction: number): void {
  const answer = JSON.parse(body) as Answer;
  if (answer.prediction === label) raw.right++;
  if (answer.prediction === fullPrediction) raw.agree++;
  raw.cost += answer.cost;
  raw.server.push(answer.serverMs);
  raw.exitCounts[answer.exit] = (raw.exitCounts[answer.exit] ?? 0) + 1;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Drives `connections` clients against `url` (a running server) for `durationS` seconds; adds to `raw`. */
export function drivePoint(
  url: string,
  set: LabelledSet,
  bodies: readonly Buffer[],
  fullPredictions: Int32Array,
  connections: number,
  durationS: number,
  raw: RawPoint = emptyRawPoint(),
): Promise<RawPoint> {
  let next = 0;
  return new Promise<RawPoint>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/v1/predict`,
        connections,
        duration: durationS,
        pipelining: 1,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/octet-stream' },
            setupRequest: (request, context) => {
              const i = set.order[next++ % set.n]!;
              context.sample = i;
              return { ...request, body: bodies[i]! };
            },
            onResponse: (status, body, context) => {
              if (status === 200) scoreAnswer(raw, body, set.labels[context.sample as number]!, fullPredictions[context.sample as number]!);
            },
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        raw.durationS += result.duration;
        raw.non2xx += result.non2xx;
        raw.errors += result.errors;
        raw.timeouts += result.timeouts;
        resolve(raw);
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status === 200) raw.latencies.push(ms);
    });
  });
}

/** The summary of a load point. */
export function summarize(raw: RawPoint, connections: number): PointResult {
  const latencies = [...raw.latencies].sort((a, b) => a - b);
  const server = [...raw.server].sort((a, b) => a - b);
  const scored = Math.max(1, server.length);
  return {
    connections,
    durationS: raw.durationS,
    answered: latencies.length,
    throughput: latencies.length / Math.max(raw.durationS, 1e-9),
    latency: {
      p50: quantile(latencies, 0.5),
      p90: quantile(latencies, 0.9),
      p99: quantile(latencies, 0.99),
      mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    },
    serverP50: quantile(server, 0.5),
    non2xx: raw.non2xx,
    errors: raw.errors,
    timeouts: raw.timeouts,
    accuracy: raw.right / scored,
    agreement: raw.agree / scored,
    meanCost: raw.cost / scored,
    exitCounts: Array.from(raw.exitCounts, (c) => c ?? 0),
  };
}

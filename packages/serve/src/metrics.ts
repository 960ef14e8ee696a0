import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Scheduler } from './answer.js';
import type { ThresholdAdapter } from './threshold-adapter.js';

/** The server's Prometheus metrics, in a registry of its own (several servers may share a process). */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'status'>;
  readonly latency: Histogram<'outcome'>;
  readonly exits: Counter<'exit'>;
}

/** Latency buckets in seconds, from 0.1 ms to 2.5 s. */
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createMetrics(scheduler: Scheduler, adapter?: ThresholdAdapter): ServerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ policy: scheduler.policy });
  const requests = new Counter({
    name: 'offramp_requests_total',
    help: 'Prediction requests answered, by HTTP status.',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'offramp_request_duration_seconds',
    help: 'Time from admission to answer inside the server.',
    labelNames: ['outcome'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const exits = new Counter({
    name: 'offramp_exits_total',
    help: 'Answers given at each exit.',
    labelNames: ['exit'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'offramp_queue_depth',
    help: 'Requests admitted and not yet answered.',
    registers: [registry],
    collect() {
      this.set(scheduler.depth);
    },
  });
  new Gauge({
    name: 'offramp_stage_queue_rows',
    help: 'Rows waiting before each stage (stage 0 only for the full model).',
    labelNames: ['stage'] as const,
    registers: [registry],
    collect() {
      scheduler.stageDepths().forEach((rows, stage) => {
        this.set({ stage: String(stage) }, rows);
      });
    },
  });
  if (adapter) {
    new Gauge({
      name: 'offramp_threshold',
      help: 'Threshold served at each gated exit (+Inf: every request runs to the last exit).',
      labelNames: ['exit'] as const,
      registers: [registry],
      collect() {
        adapter.thresholds.forEach((t, exit) => {
          this.set({ exit: String(exit) }, t);
        });
      },
    });
    new Gauge({
      name: 'offramp_window_disagreement',
      help: 'Disagreement with the full model of the served thresholds on the window of sampled requests.',
      registers: [registry],
      collect() {
        this.set(adapter.windowDisagreement() ?? 0);
      },
    });
    new Gauge({
      name: 'offramp_constraint_epsilon',
      help: 'Disagreement with the full model the server is held to.',
      registers: [registry],
      collect() {
        this.set(adapter.epsilon);
      },
    });
  }
  return { registry, requests, latency, exits };
}

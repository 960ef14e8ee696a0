import type { AdaptationStatus, PolicyName } from '@offramp/serve';
import type { PointResult } from './drive.js';
import type { Reference } from './reference.js';

// The settings and reports of both load tests (closed and open loop): the runners write them, the
// report writers and `serve report` read them.

/** What both load tests (closed and open loop) serve, how, and where their results go. */
export interface ServingSettings {
  readonly networks: readonly string[];
  readonly bundleDir: string;
  readonly policies: readonly PolicyName[];
  readonly warmupS: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly maxQueue: number;
  readonly timeoutMs: number;
  /** Fraction of requests the 'continuous+adapt' server also runs to the last exit for adaptation (0: no such server). */
  readonly sampleFraction: number;
  readonly epsilon: number;
  readonly delta: number;
  readonly seed: number;
  readonly testSamples: number;
  readonly outDir: string;
  readonly readme?: string;
  /** This program's entry point (the server runs as `node <main> serve`). */
  readonly main: string;
  readonly benchMain: string;
  readonly log: (line: string) => void;
}

export interface LoadTestSettings extends ServingSettings {
  /** Offered load: concurrent clients, each sending its next request when the last is answered. */
  readonly connections: readonly number[];
  /** Seconds per run; each point is `rounds` runs, interleaved across policies, pooled. */
  readonly durationS: number;
  readonly rounds: number;
}

export interface PolicyRun {
  /** The variant's name. */
  readonly name: string;
  readonly policy: PolicyName;
  readonly points: readonly PointResult[];
  /** The continuous policy's adaptation state after the run. */
  readonly adaptation?: AdaptationStatus;
}

/** An early-exit policy vs the full model at the same number of clients (the same offered load). */
export interface Comparison {
  /** The variant's name. */
  readonly name: string;
  readonly connections: number;
  readonly fullThroughput: number;
  readonly fullP50: number;
  readonly throughput: number;
  readonly p50: number;
  /** 1 - p50 / fullP50. */
  readonly reduction: number;
  /** throughput / fullThroughput. */
  readonly throughputRatio: number;
  /** The policy's p50 at the full model's throughput, interpolated along its curve (null above it). */
  readonly p50AtFullThroughput: number | null;
}

export interface Target {
  readonly name: string;
  readonly met: boolean;
  /** Largest p50 reduction at a load where the variant served >= 95% of the full model's throughput. */
  readonly bestReduction: number | null;
  /** Served accuracy of the full model minus the variant's, in points, over every answer. */
  readonly accuracyDropPoints: number;
}

export interface NetworkRun {
  readonly network: string;
  readonly reference: Omit<Reference, 'fullPredictions'>;
  readonly runs: readonly PolicyRun[];
  readonly comparisons: readonly Comparison[];
  /**
   * Per early-exit variant, whether it met the target: at some load, p50 >= 40% lower than the full
   * model's while serving at least 95% of its throughput, with the served accuracy within epsilon of it.
   */
  readonly targets: readonly Target[];
}

/** What both reports hold: when and on what they were measured, the settings, and one run per network. */
export interface MeasuredReport<Settings extends ServingSettings, Network> {
  readonly date: string;
  readonly node: string;
  /** 1, 5 and 15 minute load averages of the machine before the run (2 cores). */
  readonly loadAverage: readonly number[];
  /** The settings, without where the files and programs are. */
  readonly settings: Omit<Settings, 'log' | 'main' | 'benchMain' | 'outDir' | 'readme' | 'bundleDir'>;
  readonly networks: readonly Network[];
}

export type LoadTestReport = MeasuredReport<LoadTestSettings, NetworkRun>;

export interface OpenLoopSettings extends ServingSettings {
  /** Offered rates as fractions of the full model's closed-loop capacity (used unless `rates` is given). */
  readonly fractions: readonly number[];
  /** Fixed offered rates, requests per second (instead of `fractions`). */
  readonly rates?: readonly number[];
  /** Seconds of arrivals per point. */
  readonly durationS: number;
  /** Closed-loop clients and seconds for measuring the full model's capacity. */
  readonly capacityClients: number;
  readonly capacityS: number;
  /** Connections the generator keeps open to a server at most. */
  readonly maxSockets: number;
}

/** One variant at one offered rate. Latencies count from each request's scheduled arrival. */
export interface OpenLoopPoint extends Omit<PointResult, 'connections'> {
  /** Requests per second offered (the Poisson rate). */
  readonly offeredRate: number;
  /** offeredRate / the full model's closed-loop capacity (null without a capacity measurement). */
  readonly fractionOfCapacity: number | null;
  readonly scheduled: number;
  /** Requests the generator sent more than 1 ms after their scheduled time. */
  readonly late: number;
  readonly maxLateMs: number;
}

export interface OpenLoopRun {
  readonly name: string;
  readonly policy: PolicyName;
  readonly points: readonly OpenLoopPoint[];
}

export interface OpenLoopNetworkRun {
  readonly network: string;
  /** The full model's closed-loop throughput (req/s) at `capacityClients` clients, or null. */
  readonly capacity: number | null;
  readonly reference: Omit<Reference, 'fullPredictions'>;
  readonly runs: readonly OpenLoopRun[];
}

export type OpenLoopReport = MeasuredReport<OpenLoopSettings, OpenLoopNetworkRun>;

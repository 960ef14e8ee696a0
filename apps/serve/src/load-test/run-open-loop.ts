import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ArgumentError } from '@offramp/core';
import { writeFileAtomic } from '@offramp/core/node';
import { readOnnxBundle } from '@offramp/onnx/node';
import { drivePoint, emptyRawPoint, type RawPoint, scoreAnswer, summarize } from './drive.js';
import { ensureBundles } from './ensure-bundles.js';
import { predictClient } from './http-sender.js';
import { driveSchedule, type ScheduleRun } from './open-loop-driver.js';
import { writeOpenLoopReport } from './open-loop-report.js';
import { poissonArrivals } from './poisson.js';
import { referenceRun } from './reference.js';
import type { OpenLoopNetworkRun, OpenLoopPoint, OpenLoopReport, OpenLoopSettings } from './report-types.js';
import { servableVariants, serverArgs, variantsOf } from './variants.js';
import { type ServerProcess, spawnServer } from './spawn-server.js';
import { binaryBodies, digitsSets, type LabelledSet } from './test-set.js';

/** The summary of one open-loop point. */
export function summarizeOpenLoop(raw: RawPoint, run: ScheduleRun, offeredRate: number, capacity: number | null): OpenLoopPoint {
  const { connections: _connections, ...point } = summarize(raw, 0);
  return {
    offeredRate,
    fractionOfCapacity: capacity ? offeredRate / capacity : null,
    scheduled: run.scheduled,
    late: run.late,
    maxLateMs: run.maxLateMs,
    ...point,
  };
}

/** Sends a seeded Poisson schedule at `rate` to `url` and scores every answer. */
async function driveOpenLoop(
  url: string,
  set: LabelledSet,
  bodies: readonly Buffer[],
  fullPredictions: Int32Array,
  rate: number,
  settings: OpenLoopSettings,
  seed: number,
): Promise<{ raw: RawPoint; run: ScheduleRun }> {
  const arrivals = poissonArrivals(rate, settings.durationS, seed);
  const client = predictClient(url, { maxSockets: settings.maxSockets, timeoutMs: settings.timeoutMs * 5 });
  const raw = emptyRawPoint();
  try {
    const run = await driveSchedule(
      arrivals,
      (k) => client.send(bodies[set.order[k % set.n]!]!),
      (k, outcome, latencyMs) => {
        if ('error' in outcome) {
          raw.errors++;
          return;
        }
        if (outcome.status !== 200) {
          raw.non2xx++;
          return;
        }
        const i = set.order[k % set.n]!;
        raw.latencies.push(latencyMs);
        scoreAnswer(raw, outcome.body, set.labels[i]!, fullPredictions[i]!);
      },
    );
    raw.durationS = run.spanMs / 1000;
    return { raw, run };
  } finally {
    client.close();
  }
}

/** Every network under every variant at every offered rate (open loop); writes JSON, markdown, SVG. */
export async function runOpenLoop(settings: OpenLoopSettings): Promise<OpenLoopReport> {
  const { log } = settings;
  if (!settings.rates && !settings.policies.includes('full')) {
    throw new ArgumentError({ field: 'policies', expected: "'full' among them (its capacity sets the rates), or fixed rates", received: settings.policies.join(',') });
  }
  const loadAverage = loadavg();
  await ensureBundles(settings.bundleDir, settings.networks, settings.benchMain, log);
  const { validation, test: set } = await digitsSets(settings.seed, settings.testSamples);
  const bodies = binaryBodies(set);
  const variants = variantsOf(settings.policies, settings.sampleFraction);
  const perNetwork = settings.rates?.length ?? settings.fractions.length;
  const total = settings.networks.length * variants.length * perNetwork;
  const started = Date.now();
  let done = 0;
  const networks: OpenLoopNetworkRun[] = [];
  for (const network of settings.networks) {
    const dir = join(settings.bundleDir, network);
    const bundle = await readOnnxBundle(dir);
    const served = servableVariants(variants, bundle, network, log);
    const { fullPredictions, ...reference } = await referenceRun(bundle, validation, set, settings);
    const servers = new Map<string, ServerProcess>();
    const points = new Map<string, OpenLoopPoint[]>(served.map((v) => [v.name, []]));
    let capacity: number | null = null;
    try {
      for (const variant of served) {
        const server = await spawnServer(settings.main, serverArgs(settings, dir, variant, reference.thresholds));
        servers.set(variant.name, server);
        if (settings.warmupS > 0) await drivePoint(server.url, set, bodies, fullPredictions, settings.capacityClients, settings.warmupS);
      }
      const fullServer = served.find((v) => v.policy === 'full');
      if (fullServer) {
        const raw = await drivePoint(servers.get(fullServer.name)!.url, set, bodies, fullPredictions, settings.capacityClients, settings.capacityS);
        capacity = summarize(raw, settings.capacityClients).throughput;
        log(`${network}: full model closed-loop capacity ${capacity.toFixed(0)} req/s (${settings.capacityClients} clients, ${settings.capacityS} s)`);
      }
      const rates = settings.rates ?? settings.fractions.map((f) => Math.round(f * capacity!));
      // The generator warms up too (its http client and scoring), at the lowest rate, unrecorded.
      if (settings.warmupS > 0) {
        for (const { name } of served) {
          await driveOpenLoop(servers.get(name)!.url, set, bodies, fullPredictions, Math.min(...rates), { ...settings, durationS: 1 }, settings.seed);
        }
      }
      for (const [r, rate] of rates.entries()) {
        // The same seeded schedule for every variant at a rate; the order of variants rotates.
        const order = served.map((_, i) => served[(i + r) % served.length]!);
        for (const { name } of order) {
          const { raw, run } = await driveOpenLoop(servers.get(name)!.url, set, bodies, fullPredictions, rate, settings, settings.seed + r);
          const point = summarizeOpenLoop(raw, run, rate, capacity);
          points.get(name)!.push(point);
          done++;
          const elapsed = (Date.now() - started) / 1000;
          log(
            `[${done}/${total}, ${elapsed.toFixed(0)} s, ETA ${((elapsed / done) * (total - done)).toFixed(0)} s] ${network} ${name} ${rate} req/s offered: ${point.throughput.toFixed(0)} req/s, p50 ${point.latency.p50.toFixed(2)} ms, p99 ${point.latency.p99.toFixed(2)} ms, non-2xx ${point.non2xx}, late ${point.late}/${point.scheduled}`,
          );
        }
      }
    } finally {
      for (const server of servers.values()) await server.stop();
    }
    networks.push({
      network,
      capacity,
      reference,
      runs: served.map(({ name, policy }) => ({ name, policy, points: points.get(name)! })),
    });
  }
  const { log: _log, main: _main, benchMain: _bench, outDir, readme, bundleDir: _dir, ...kept } = settings;
  const report: OpenLoopReport = { date: new Date().toISOString(), node: process.versions.node, loadAverage, settings: kept, networks };
  await writeFileAtomic(join(outDir, 'open-loop.json'), `${JSON.stringify(report, null, 2)}\n`);
  const markdown = await writeOpenLoopReport(report, outDir, readme);
  log(markdown);
  return report;
}

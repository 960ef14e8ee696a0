import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@offramp/core/node';
import { readOnnxBundle } from '@offramp/onnx/node';
import type { AdaptationStatus } from '@offramp/serve';
import { p50AtThroughput } from './curves.js';
import { drivePoint, emptyRawPoint, type PointResult, type RawPoint, summarize } from './drive.js';
import { ensureBundles } from './ensure-bundles.js';
import { referenceRun } from './reference.js';
import { writeReport } from './report.js';
import type { Comparison, LoadTestReport, LoadTestSettings, NetworkRun, PolicyRun } from './report-types.js';
import { servableVariants, serverArgs, variantsOf } from './variants.js';
import { type ServerProcess, spawnServer } from './spawn-server.js';
import { binaryBodies, digitsSets } from './test-set.js';

function compare(runs: readonly PolicyRun[]): Comparison[] {
  const full = runs.find((r) => r.policy === 'full');
  if (!full) return [];
  return runs
    .filter((r) => r.policy !== 'full')
    .flatMap((r) =>
      full.points.flatMap((f) => {
        const p = r.points.find((q) => q.connections === f.connections);
        if (!p) return [];
        return [
          {
            name: r.name,
            connections: f.connections,
            fullThroughput: f.throughput,
            fullP50: f.latency.p50,
            throughput: p.throughput,
            p50: p.latency.p50,
            reduction: 1 - p.latency.p50 / f.latency.p50,
            throughputRatio: p.throughput / f.throughput,
            p50AtFullThroughput: p50AtThroughput(r.points, f.throughput),
          },
        ];
      }),
    );
}

function answeredAccuracy(points: readonly PointResult[]): number {
  const answered = points.reduce((a, p) => a + p.answered, 0);
  return points.reduce((a, p) => a + p.accuracy * p.answered, 0) / Math.max(1, answered);
}

/** Runs every network under every policy at every load point; writes JSON, markdown, SVG plots. */
export async function runLoadTest(settings: LoadTestSettings): Promise<LoadTestReport> {
  const { log } = settings;
  const loadAverage = loadavg();
  await ensureBundles(settings.bundleDir, settings.networks, settings.benchMain, log);
  const { validation, test: set } = await digitsSets(settings.seed, settings.testSamples);
  const bodies = binaryBodies(set);
  const variants = variantsOf(settings.policies, settings.sampleFraction);
  const total = settings.networks.length * variants.length * settings.connections.length;
  const started = Date.now();
  let done = 0;
  const networks: NetworkRun[] = [];
  for (const network of settings.networks) {
    const dir = join(settings.bundleDir, network);
    const bundle = await readOnnxBundle(dir);
    const served = servableVariants(variants, bundle, network, log);
    const { fullPredictions, ...reference } = await referenceRun(bundle, validation, set, settings);
    log(
      `${network}: thresholds ${reference.thresholds.map((t) => t.toFixed(3)).join(' / ')} (${reference.certified ? 'certified' : 'none certified'} on the validation digits); offline on the test digits: full model ${(reference.fullAccuracy * 100).toFixed(2)}%, early exit ${(reference.earlyAccuracy * 100).toFixed(2)}%, agreement ${(reference.earlyAgreement * 100).toFixed(2)}%, cost ${reference.earlyMeanCost.toFixed(3)}`,
    );
    // Every variant's server runs at once (idle ones cost nothing); each load point is measured for
    // all variants in turn, `rounds` times in rotating order, so machine noise falls on all alike.
    const servers = new Map<string, ServerProcess>();
    const raw = new Map<string, RawPoint[]>();
    const adaptations = new Map<string, AdaptationStatus>();
    try {
      for (const variant of served) {
        const server = await spawnServer(settings.main, serverArgs(settings, dir, variant, reference.thresholds));
        servers.set(variant.name, server);
        raw.set(
          variant.name,
          settings.connections.map(() => emptyRawPoint()),
        );
        const busiest = Math.max(...settings.connections);
        if (settings.warmupS > 0) await drivePoint(server.url, set, bodies, fullPredictions, busiest, settings.warmupS);
      }
      for (const [k, connections] of settings.connections.entries()) {
        for (let round = 0; round < settings.rounds; round++) {
          const order = served.map((_, i) => served[(i + round + k) % served.length]!);
          for (const { name } of order) {
            await drivePoint(servers.get(name)!.url, set, bodies, fullPredictions, connections, settings.durationS, raw.get(name)![k]);
          }
        }
        for (const { name } of served) {
          const point = summarize(raw.get(name)![k]!, connections);
          done++;
          const elapsed = (Date.now() - started) / 1000;
          const eta = (elapsed / done) * (total - done);
          log(
            `[${done}/${total}, ${elapsed.toFixed(0)} s, ETA ${eta.toFixed(0)} s] ${network} ${name} c=${connections}: ${point.throughput.toFixed(0)} req/s, p50 ${point.latency.p50.toFixed(2)} ms, p99 ${point.latency.p99.toFixed(2)} ms, acc ${(point.accuracy * 100).toFixed(2)}%, agree ${(point.agreement * 100).toFixed(2)}%, non-2xx ${point.non2xx}`,
          );
        }
      }
      for (const variant of served) {
        if (variant.sampleFraction === 0) continue;
        const url = servers.get(variant.name)!.url;
        const { adapting: _adapting, ...status } = (await (await fetch(`${url}/v1/adaptation`)).json()) as AdaptationStatus & {
          adapting: boolean;
        };
        adaptations.set(variant.name, status);
      }
    } finally {
      for (const server of servers.values()) await server.stop();
    }
    const runs: PolicyRun[] = served.map(({ name, policy }) => {
      const adaptation = adaptations.get(name);
      return {
        name,
        policy,
        points: raw.get(name)!.map((r, k) => summarize(r, settings.connections[k]!)),
        ...(adaptation ? { adaptation } : {}),
      };
    });
    const comparisons = compare(runs);
    const full = runs.find((r) => r.policy === 'full');
    const targets = runs
      .filter((r) => r.policy !== 'full')
      .map((r) => {
        const reductions = comparisons.filter((c) => c.name === r.name && c.throughputRatio >= 0.95).map((c) => c.reduction);
        const bestReduction = reductions.length > 0 ? Math.max(...reductions) : null;
        const drop = full ? (answeredAccuracy(full.points) - answeredAccuracy(r.points)) * 100 : Number.NaN;
        return {
          name: r.name,
          met: bestReduction !== null && bestReduction >= 0.4 && drop <= settings.epsilon * 100,
          bestReduction,
          accuracyDropPoints: drop,
        };
      });
    networks.push({ network, reference, runs, comparisons, targets });
  }
  const { log: _log, main: _main, benchMain: _bench, outDir, readme, bundleDir: _dir, ...kept } = settings;
  const report: LoadTestReport = {
    date: new Date().toISOString(),
    node: process.versions.node,
    loadAverage,
    settings: kept,
    networks,
  };
  await writeFileAtomic(join(outDir, 'load-test.json'), `${JSON.stringify(report, null, 2)}\n`);
  const markdown = await writeReport(report, outDir, readme);
  log(markdown);
  return report;
}

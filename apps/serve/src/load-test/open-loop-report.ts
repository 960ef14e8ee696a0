import { join } from 'node:path';
import { updateMarkedSection } from '@offramp/app-kit';
import { writeFileAtomic } from '@offramp/core/node';
import { xyChartSvg } from '@offramp/plot';
import { int, ms } from './report.js';
import type { OpenLoopNetworkRun, OpenLoopReport } from './report-types.js';

const share = (v: number | null) => (v === null ? '-' : `${Math.round(v * 100)}%`);

/** The open-loop tables: every point, then p50 / p99 of each variant side by side per offered rate. */
export function openLoopMarkdown(report: OpenLoopReport): string {
  const s = report.settings;
  const capacities = report.networks.map((n) => `${n.network} ${n.capacity === null ? '-' : int(n.capacity)} req/s`).join(', ');
  const lines = [
    `Measured ${report.date} on loopback, Node ${report.node}, load average before the run ${report.loadAverage.map((l) => l.toFixed(2)).join(' / ')} (2 cores, shared). Open loop: arrivals of a seeded Poisson process at the offered rate for ${s.durationS} s per point (the same schedule for every variant at a rate), sent by a keep-alive Node http client (at most ${s.maxSockets} connections) in the parent process, one server per variant in a child process; latency counts from each request's scheduled arrival; "late" = requests the generator sent more than 1 ms after their time. Offered rates: ${s.rates ? 'fixed' : `${s.fractions.map((f) => `${Math.round(f * 100)}%`).join(', ')} of the full model's closed-loop capacity (${s.capacityClients} clients, ${s.capacityS} s: ${capacities})`}; max batch ${s.maxBatch}, max wait ${s.maxWaitMs} ms, max queue ${s.maxQueue}; thresholds certified on the validation digits as in the closed-loop test.`,
    '',
    '| network | variant | offered (req/s) | of capacity | achieved (req/s) | p50 (ms) | p90 (ms) | p99 (ms) | server p50 (ms) | accuracy (%) | agrees with full (%) | mean cost | non-2xx | errors | late > 1 ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const n of report.networks) {
    for (const r of n.runs) {
      for (const p of r.points) {
        lines.push(
          `| ${n.network} | ${r.name} | ${int(p.offeredRate)} | ${share(p.fractionOfCapacity)} | ${int(p.throughput)} | ${ms(p.latency.p50)} | ${ms(p.latency.p90)} | ${ms(p.latency.p99)} | ${ms(p.serverP50)} | ${(p.accuracy * 100).toFixed(2)} | ${(p.agreement * 100).toFixed(2)} | ${p.meanCost.toFixed(3)} | ${p.non2xx} | ${p.errors} | ${p.late} / ${p.scheduled} |`,
        );
      }
    }
  }
  for (const n of report.networks) {
    const names = n.runs.map((r) => r.name);
    lines.push(
      '',
      `${n.network}, open loop: p50 / p99 (ms) at each offered rate:`,
      '',
      `| offered (req/s) | of capacity | ${names.join(' | ')} |`,
      `|---|---|${names.map(() => '---|').join('')}`,
    );
    n.runs[0]?.points.forEach((first, k) => {
      const cells = n.runs.map((r) => {
        const p = r.points[k];
        return p ? `${ms(p.latency.p50)} / ${ms(p.latency.p99)}` : '-';
      });
      lines.push(`| ${int(first.offeredRate)} | ${share(first.fractionOfCapacity)} | ${cells.join(' | ')} |`);
    });
  }
  return lines.join('\n');
}

/** p50 or p99 latency of every variant against the offered rate. */
export function openLoopChartSvg(run: OpenLoopNetworkRun, stat: 'p50' | 'p99'): Promise<string> {
  return xyChartSvg({
    title: `${run.network}: ${stat} latency vs offered rate (open loop, Poisson arrivals)`,
    x: { title: 'offered rate (requests / s)', zero: true },
    y: { title: `${stat} latency from scheduled arrival (ms)`, zero: true },
    series: run.runs.map((r) => ({
      name: r.name,
      points: r.points.filter((p) => p.answered > 0).map((p) => ({ x: p.offeredRate, y: p.latency[stat] })),
    })),
  });
}

/** Writes results/open-loop.md, a p50 and a p99 chart per network, and the README section when `readme` is given. */
export async function writeOpenLoopReport(report: OpenLoopReport, outDir: string, readme?: string): Promise<string> {
  const markdown = openLoopMarkdown(report);
  await writeFileAtomic(join(outDir, 'open-loop.md'), `${markdown}\n`);
  for (const run of report.networks) {
    for (const stat of ['p50', 'p99'] as const) {
      await writeFileAtomic(join(outDir, `open-loop-${stat}-${run.network}.svg`), await openLoopChartSvg(run, stat));
    }
  }
  if (readme) await updateMarkedSection(readme, 'open-loop', markdown, { ifMissing: 'skip' });
  return markdown;
}

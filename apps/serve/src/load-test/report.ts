import { join } from 'node:path';
import { updateMarkedSection } from '@offramp/app-kit';
import { writeFileAtomic } from '@offramp/core/node';
import { xyChartSvg } from '@offramp/plot';
import type { LoadTestReport, NetworkRun } from './report-types.js';

/** Milliseconds with two decimals ('-' when missing). */
export const ms = (v: number | null) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(2));
const pct = (v: number | null) => (v === null || !Number.isFinite(v) ? '-' : `${(v * 100).toFixed(1)}%`);
/** A whole number with thousands separators. */
export const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** The tables of a load-test report. */
export function markdownReport(report: LoadTestReport): string {
  const s = report.settings;
  const lines = [
    `Measured ${report.date} on loopback, Node ${report.node}, load average before the run ${report.loadAverage.map((l) => l.toFixed(2)).join(' / ')} (2 cores, shared). One server per variant in a child process (onnxruntime-node, 1 intra-op thread), autocannon in the parent; each point ${s.rounds} x ${s.durationS} s, interleaved across variants, after a ${s.warmupS} s warm-up; max batch ${s.maxBatch}, max wait ${s.maxWaitMs} ms per stage; ${s.testSamples} test digits as binary float32 bodies. Early-exit variants start from thresholds certified on the validation digits (disagreement with the full model <= ${s.epsilon}, delta ${s.delta}); continuous+adapt re-certifies online from ${pct(s.sampleFraction)} of requests.`,
    '',
    '| network | variant | clients | throughput (req/s) | p50 (ms) | p90 (ms) | p99 (ms) | server p50 (ms) | accuracy (%) | agrees with full (%) | mean cost | exits | non-2xx |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const n of report.networks) {
    for (const r of n.runs) {
      for (const p of r.points) {
        lines.push(
          `| ${n.network} | ${r.name} | ${p.connections} | ${int(p.throughput)} | ${ms(p.latency.p50)} | ${ms(p.latency.p90)} | ${ms(p.latency.p99)} | ${ms(p.serverP50)} | ${(p.accuracy * 100).toFixed(2)} | ${(p.agreement * 100).toFixed(2)} | ${p.meanCost.toFixed(3)} | ${p.exitCounts.join(' / ')} | ${p.non2xx} |`,
        );
      }
    }
  }
  for (const n of report.networks) {
    const names = [...new Set(n.comparisons.map((c) => c.name))];
    lines.push(
      '',
      `${n.network}: early exit vs the full model at the same offered load (clients); reduction = 1 - p50 / full p50:`,
      '',
      `| clients | full: req/s | full: p50 (ms) | ${names.map((v) => `${v}: req/s | ${v}: p50 (ms) | ${v}: reduction`).join(' | ')} |`,
      `|---|---|---|${names.map(() => '---|---|---|').join('')}`,
    );
    for (const k of [...new Set(n.comparisons.map((c) => c.connections))]) {
      const row = n.comparisons.filter((c) => c.connections === k);
      const cells = names.map((v) => {
        const c = row.find((x) => x.name === v);
        return c ? `${int(c.throughput)} | ${ms(c.p50)} | ${pct(c.reduction)}` : '- | - | -';
      });
      lines.push(`| ${k} | ${int(row[0]!.fullThroughput)} | ${ms(row[0]!.fullP50)} | ${cells.join(' | ')} |`);
    }
  }
  lines.push(
    '',
    '| network | variant | best p50 reduction at >= 95% of the full model req/s | served accuracy drop vs full (points) | target: >= 40% lower p50, drop <= 1 point |',
    '|---|---|---|---|---|',
  );
  for (const n of report.networks) {
    for (const t of n.targets) {
      lines.push(`| ${n.network} | ${t.name} | ${pct(t.bestReduction)} | ${t.accuracyDropPoints.toFixed(2)} | ${t.met ? 'met' : 'not met'} |`);
    }
  }
  lines.push(
    '',
    '| network | offline: full acc. (%) | offline: early-exit acc. (%) | offline: agreement (%) | thresholds certified on validation | continuous+adapt at the end: thresholds | state | window disagreement | updates |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const n of report.networks) {
    const a = n.runs.find((r) => r.adaptation)?.adaptation;
    const r = n.reference;
    lines.push(
      `| ${n.network} | ${(r.fullAccuracy * 100).toFixed(2)} | ${(r.earlyAccuracy * 100).toFixed(2)} | ${(r.earlyAgreement * 100).toFixed(2)} | ${r.thresholds.map((t) => t.toFixed(3)).join(' / ')}${r.certified ? '' : ' (none certified)'} | ${a ? a.thresholds.map((t) => t.toFixed(3)).join(' / ') : '-'} | ${a ? `${a.state}, ${a.samples} samples` : '-'} | ${a ? pct(a.windowDisagreement) : '-'} | ${a ? a.updates : '-'} |`,
    );
  }
  return lines.join('\n');
}

/** What a chart plots against the offered load. */
export type ChartStat = 'p50' | 'p99' | 'throughput';

/** p50 latency, p99 latency or throughput against the offered load (clients), one line per variant. */
export function loadChartSvg(run: NetworkRun, stat: ChartStat): Promise<string> {
  const value = (p: NetworkRun['runs'][number]['points'][number]) => (stat === 'throughput' ? p.throughput : p.latency[stat]);
  return xyChartSvg({
    title: `${run.network}: ${stat === 'throughput' ? 'throughput' : `${stat} latency`} vs offered load`,
    x: { title: 'concurrent clients (closed loop)', zero: true },
    y: { title: stat === 'throughput' ? 'answered requests / s' : `${stat} latency (ms)`, zero: true },
    series: run.runs.map((r) => ({
      name: r.name,
      points: r.points.filter((p) => p.answered > 0).map((p) => ({ x: p.connections, y: value(p) })),
    })),
  });
}

/** Writes the markdown tables and the charts of a report (and the README tables when `readme` is given). */
export async function writeReport(report: LoadTestReport, outDir: string, readme?: string): Promise<string> {
  const markdown = markdownReport(report);
  await writeFileAtomic(join(outDir, 'load-test.md'), `${markdown}\n`);
  for (const run of report.networks) {
    for (const stat of ['p50', 'p99', 'throughput'] as const) {
      await writeFileAtomic(join(outDir, `${stat}-${run.network}.svg`), await loadChartSvg(run, stat));
    }
  }
  if (readme) await updateReadme(readme, markdown);
  return markdown;
}

/** Replaces the text between the load-test markers of the README (left alone when they are missing). */
export async function updateReadme(path: string, markdown: string): Promise<void> {
  await updateMarkedSection(path, 'load-test', markdown, { ifMissing: 'skip' });
}

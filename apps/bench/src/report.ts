import { updateMarkedSection } from '@offramp/app-kit';
import { renderVegaLiteSvg } from '@offramp/plot';
import type { BatchResult, NetworkResult } from './bench-network.js';

export interface BenchReport {
  readonly date: string;
  readonly node: string;
  readonly runtime: string;
  readonly threads: number;
  readonly repetitions: number;
  readonly testSamples: number;
  readonly maxDropPoints: number;
  readonly networks: readonly NetworkResult[];
}

/** The issue's targets for one row: >= 2x at <= 0.5 points lost, never-exit within 5%, >= 90% of the MAC-implied speedup. */
export function targets(row: BatchResult): { speedup: boolean; neverExit: boolean; efficiency: boolean } {
  return {
    speedup: row.speedup >= 2 && row.accuracyDrop <= 0.5,
    neverExit: row.neverOverhead <= 0.05,
    efficiency: row.efficiency >= 0.9,
  };
}

const mark = (ok: boolean) => (ok ? 'yes' : 'no');
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function markdownTable(report: BenchReport): string {
  const head =
    '| network | batch | full (samples/s) | early exit (samples/s) | speedup | pooled early exit (samples/s) | pooled speedup | MAC ratio | MAC-implied | measured / implied | full acc. (%) | early acc. (%) | drop (points) | never-exit overhead (time / MACs) | targets: 2x, never <= 5%, >= 90% | CPU time: speedup, never-exit |';
  const rule = `|${'---|'.repeat(16)}`;
  const rows = report.networks.flatMap((net) =>
    net.batches.map((b) => {
      const t = targets(b);
      return `| ${net.name} | ${b.batch} | ${fmt(b.full.samplesPerSecond)} | ${fmt(b.early.samplesPerSecond)} | ${fmt(b.speedup, 2)}x | ${b.pooled ? fmt(b.pooled.mode.samplesPerSecond) : '-'} | ${b.pooled ? `${fmt(b.pooled.speedup, 2)}x` : '-'} | ${fmt(b.macRatio, 3)} | ${fmt(b.impliedSpeedup, 2)}x | ${fmt(b.efficiency * 100, 0)}% | ${fmt(b.full.accuracy * 100, 2)} | ${fmt(b.early.accuracy * 100, 2)} | ${fmt(b.accuracyDrop, 2)} | ${fmt(b.neverOverhead * 100, 1)}% / ${fmt(b.neverMacOverhead * 100, 1)}% | ${mark(t.speedup)}, ${mark(t.neverExit)}, ${mark(t.efficiency)} | ${fmt(b.cpu.speedup, 2)}x, ${fmt(b.cpu.neverOverhead * 100, 1)}% |`;
    }),
  );
  return [head, rule, ...rows].join('\n');
}

export function breakdownTable(report: BenchReport): string {
  const head =
    '| network | batch | calls / sample | stage+head calls | compaction | input wrap | runner (gates, softmax, bookkeeping) | call overhead share | never-exit overhead = split graphs + runner |';
  const rule = `|${'---|'.repeat(9)}`;
  const pct = (x: number) => `${fmt(x * 100, 1)}%`;
  const rows = report.networks.flatMap((net) =>
    net.batches.map(
      (b) =>
        `| ${net.name} | ${b.batch} | ${fmt(b.breakdown.callsPerSample, 3)} | ${pct(b.breakdown.stageCalls + b.breakdown.headCalls)} | ${pct(b.breakdown.compaction)} | ${pct(b.breakdown.wrapInput)} | ${pct(b.breakdown.runner)} | ${pct(b.overheadShare)} | ${pct(b.neverOverhead)} = ${pct(b.splitOverhead)} + ${pct(b.runnerOverhead)} (compounded) |`,
    ),
  );
  return [head, rule, ...rows].join('\n');
}

export function stageTable(report: BenchReport): string {
  const head = '| network | batch | per stage: rows per call / us per row / share of the early-exit time |';
  const cells = (perStage: BatchResult['breakdown']['perStage']) =>
    perStage.map((s) => `${fmt(s.rowsPerCall, 1)} / ${fmt(s.microsecondsPerRow, 1)} / ${fmt(s.share * 100, 0)}%`).join(' ; ');
  const rows = report.networks.flatMap((net) =>
    net.batches.flatMap((b) => [
      `| ${net.name} | ${b.batch} | ${cells(b.breakdown.perStage)} |`,
      ...(b.pooled
        ? [`| ${net.name} | ${b.batch}, pooled (min ${b.pooled.minRows} rows; joining batches ${fmt(b.pooled.concat * 100, 1)}%) | ${cells(b.pooled.perStage)} |`]
        : []),
    ]),
  );
  return [head, '|---|---|---|', ...rows].join('\n');
}

export function networkTable(report: BenchReport): string {
  const head = '| network | stage kMACs | full kMACs | threshold (max-prob) | accuracy per exit (%) | test exits per exit | call overhead (us) |';
  const rule = `|${'---|'.repeat(7)}`;
  const rows = report.networks.map(
    (net) =>
      `| ${net.name} | ${net.stageMacs.map((m) => fmt(m / 1000, 0)).join(' / ')} | ${fmt(net.fullMacs / 1000, 0)} | ${fmt(net.threshold, 4)} | ${net.exitAccuracies.map((a) => fmt(a * 100, 1)).join(' / ')} | ${net.exitCounts.join(' / ')} | ${fmt(net.callOverheadSeconds * 1e6, 1)} |`,
  );
  return [head, rule, ...rows].join('\n');
}

export function markdownReport(report: BenchReport): string {
  return [
    `Measured ${report.date} with ${report.runtime}, ${report.threads} intra-op thread(s), Node ${report.node}; ${report.testSamples} test digits, median of ${report.repetitions} repetitions.`,
    '',
    markdownTable(report),
    '',
    networkTable(report),
    '',
    'Where the time of one early-exit pass goes:',
    '',
    breakdownTable(report),
    '',
    'Each stage after compaction (fused stage+head graph), per batch and pooled across batches:',
    '',
    stageTable(report),
  ].join('\n');
}

/** Measured vs MAC-implied speedup per network and batch size, as a grouped bar chart. */
export async function speedupSvg(report: BenchReport): Promise<string> {
  const values = report.networks.flatMap((net) =>
    net.batches.flatMap((b) => [
      { case: `${net.name}, batch ${b.batch}`, kind: 'measured speedup', value: b.speedup },
      { case: `${net.name}, batch ${b.batch}`, kind: 'MAC-implied speedup', value: b.impliedSpeedup },
      { case: `${net.name}, batch ${b.batch}`, kind: 'never-exit', value: 1 / (1 + b.neverOverhead) },
      ...(b.pooled ? [{ case: `${net.name}, batch ${b.batch}`, kind: 'pooled early exit', value: b.pooled.speedup }] : []),
    ]),
  );
  return renderVegaLiteSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Early exit vs the full-model ONNX graph (throughput ratio)',
    width: 520,
    height: 300,
    layer: [
      {
        data: { values },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'case', type: 'nominal', title: null, axis: { labelAngle: 0 } },
          xOffset: { field: 'kind' },
          y: { field: 'value', type: 'quantitative', title: 'throughput, x the full model' },
          color: { field: 'kind', type: 'nominal', title: null, legend: { labelLimit: 240 } },
        },
      },
      {
        data: { values: [{ y: 2 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: 'black' },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
    ],
  });
}

/** Replaces the README's table between the bench-table markers; false when the README or its markers are missing. */
export function updateReadme(path: string, report: BenchReport): Promise<boolean> {
  return updateMarkedSection(path, 'bench-table', markdownReport(report), { ifMissing: 'skip' });
}

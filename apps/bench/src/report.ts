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

/**
 * The compiled graph's targets for one row: compiled never-exit within 5% of the full graph; compiled
 * early exit at >= 90% of the time-implied ceiling at batch 128 and over (>= 75% below), faster than
 * the full graph, and the deep MLP >= 5x at batch 128.
 */
export function compiledTargets(
  network: string,
  row: BatchResult,
): { neverExit: boolean; ofCeiling: boolean; faster: boolean; deepMlp: boolean } {
  return {
    neverExit: row.compiled.neverOverhead <= 0.05,
    ofCeiling: row.compiled.ofTimeImplied >= (row.batch >= 128 ? 0.9 : 0.75),
    faster: row.compiled.speedup > 1,
    deepMlp: network !== 'deep-mlp' || row.batch < 128 || row.compiled.speedup >= 5,
  };
}

const mark = (ok: boolean) => (ok ? 'yes' : 'no');
/** A network and the runtime it was timed on, as one table cell. */
const label = (net: NetworkResult) => `${net.name} (${net.runtime.startsWith('onnxruntime-web') ? 'web' : 'node'})`;
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Full graph, JS-driven early exit and the compiled graph side by side, with the MAC- and time-implied ceilings. */
export function compiledTable(report: BenchReport): string {
  const head =
    '| network (runtime) | batch | full (samples/s) | JS early exit | compiled early exit | compiled never-exit | JS speedup | compiled speedup | MAC-implied | time-implied | compiled / time-implied | compiled never-exit overhead | compiled = runner | targets: never <= 5%, of ceiling, faster, deep-mlp >= 5x |';
  const rule = `|${'---|'.repeat(14)}`;
  const rows = report.networks.flatMap((net) =>
    net.batches.map((b) => {
      const c = b.compiled;
      const t = compiledTargets(net.name, b);
      return `| ${label(net)} | ${b.batch} | ${fmt(b.full.samplesPerSecond)} | ${fmt(b.early.samplesPerSecond)} | ${fmt(c.early.samplesPerSecond)} | ${fmt(c.never.samplesPerSecond)} | ${fmt(b.speedup, 2)}x | **${fmt(c.speedup, 2)}x** | ${fmt(b.impliedSpeedup, 2)}x | ${fmt(b.timeImpliedSpeedup, 2)}x | ${fmt(c.ofTimeImplied * 100, 0)}% | ${fmt(c.neverOverhead * 100, 1)}% | ${c.sameExits ? 'yes' : 'NO'} | ${mark(t.neverExit)}, ${mark(t.ofCeiling)}, ${mark(t.faster)}, ${mark(t.deepMlp)} |`;
    }),
  );
  return [head, rule, ...rows].join('\n');
}

/** Measured per-row time of each stage+head and gate (the time cost model), against its share of the MACs. */
export function timeModelTable(report: BenchReport): string {
  const head = '| network (runtime) | batch | per stage: us per row (stage+head, gate) | share of the time / of the MACs |';
  const rows = report.networks.flatMap((net) =>
    net.batches.map((b) => {
      const t = b.stageTimes;
      const total = t.stageSeconds.reduce((a, x) => a + x, 0);
      const macs = net.stageMacs.map((m, l) => m + net.headMacs[l]!);
      const macTotal = macs.reduce((a, x) => a + x, 0);
      const cells = t.stageSeconds.map((sec, l) => `${fmt(sec * 1e6, 2)} + ${fmt(t.gateSeconds[l]! * 1e6, 2)}`).join(' ; ');
      const shares = t.stageSeconds.map((sec, l) => `${fmt((100 * sec) / total, 0)}% / ${fmt((100 * macs[l]!) / macTotal, 0)}%`).join(' ; ');
      return `| ${label(net)} | ${b.batch} | ${cells} | ${shares} |`;
    }),
  );
  return [head, '|---|---|---|---|', ...rows].join('\n');
}

export function markdownTable(report: BenchReport): string {
  const head =
    '| network | batch | full (samples/s) | early exit (samples/s) | speedup | pooled early exit (samples/s) | pooled speedup | MAC ratio | MAC-implied | measured / implied | full acc. (%) | early acc. (%) | drop (points) | never-exit overhead (time / MACs) | targets: 2x, never <= 5%, >= 90% | CPU time: speedup, never-exit |';
  const rule = `|${'---|'.repeat(16)}`;
  const rows = report.networks.flatMap((net) =>
    net.batches.map((b) => {
      const t = targets(b);
      return `| ${label(net)} | ${b.batch} | ${fmt(b.full.samplesPerSecond)} | ${fmt(b.early.samplesPerSecond)} | ${fmt(b.speedup, 2)}x | ${b.pooled ? fmt(b.pooled.mode.samplesPerSecond) : '-'} | ${b.pooled ? `${fmt(b.pooled.speedup, 2)}x` : '-'} | ${fmt(b.macRatio, 3)} | ${fmt(b.impliedSpeedup, 2)}x | ${fmt(b.efficiency * 100, 0)}% | ${fmt(b.full.accuracy * 100, 2)} | ${fmt(b.early.accuracy * 100, 2)} | ${fmt(b.accuracyDrop, 2)} | ${fmt(b.neverOverhead * 100, 1)}% / ${fmt(b.neverMacOverhead * 100, 1)}% | ${mark(t.speedup)}, ${mark(t.neverExit)}, ${mark(t.efficiency)} | ${fmt(b.cpu.speedup, 2)}x, ${fmt(b.cpu.neverOverhead * 100, 1)}% |`;
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
        `| ${label(net)} | ${b.batch} | ${fmt(b.breakdown.callsPerSample, 3)} | ${pct(b.breakdown.stageCalls + b.breakdown.headCalls)} | ${pct(b.breakdown.compaction)} | ${pct(b.breakdown.wrapInput)} | ${pct(b.breakdown.runner)} | ${pct(b.overheadShare)} | ${pct(b.neverOverhead)} = ${pct(b.splitOverhead)} + ${pct(b.runnerOverhead)} (compounded) |`,
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
      `| ${label(net)} | ${b.batch} | ${cells(b.breakdown.perStage)} |`,
      ...(b.pooled
        ? [`| ${label(net)} | ${b.batch}, pooled (min ${b.pooled.minRows} rows; joining batches ${fmt(b.pooled.concat * 100, 1)}%) | ${cells(b.pooled.perStage)} |`]
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
      `| ${label(net)} | ${net.stageMacs.map((m) => fmt(m / 1000, 0)).join(' / ')} | ${fmt(net.fullMacs / 1000, 0)} | ${fmt(net.threshold, 4)} | ${net.exitAccuracies.map((a) => fmt(a * 100, 1)).join(' / ')} | ${net.exitCounts.join(' / ')} | ${fmt(net.callOverheadSeconds * 1e6, 1)} |`,
  );
  return [head, rule, ...rows].join('\n');
}

export function markdownReport(report: BenchReport): string {
  return [
    `Measured ${report.date} with ${report.runtime}, ${report.threads} intra-op thread(s), Node ${report.node}; ${report.testSamples} test digits, median of ${report.repetitions} repetitions.`,
    '',
    'Early exit compiled into one ONNX graph (`compileEarlyExit`) against the full graph and the JS-driven runner:',
    '',
    compiledTable(report),
    '',
    'The time cost model (`measureStageTimes`): each stage with its head and each gate, per row, at the batch size:',
    '',
    timeModelTable(report),
    '',
    'The JS-driven runner in detail (per batch and pooled across batches):',
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
      { case: `${label(net)}, batch ${b.batch}`, kind: 'compiled early exit', value: b.compiled.speedup },
      { case: `${label(net)}, batch ${b.batch}`, kind: 'JS-driven early exit', value: b.speedup },
      { case: `${label(net)}, batch ${b.batch}`, kind: 'time-implied ceiling', value: b.timeImpliedSpeedup },
      { case: `${label(net)}, batch ${b.batch}`, kind: 'MAC-implied ceiling', value: b.impliedSpeedup },
    ]),
  );
  return renderVegaLiteSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Early exit vs the full-model ONNX graph (throughput ratio, log scale)',
    width: 900,
    height: 300,
    layer: [
      {
        data: { values },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'case', type: 'nominal', title: null, axis: { labelAngle: -30 } },
          xOffset: { field: 'kind' },
          y: { field: 'value', type: 'quantitative', title: 'throughput, x the full model', scale: { type: 'log' } },
          color: { field: 'kind', type: 'nominal', title: null, legend: { labelLimit: 240 } },
        },
      },
      {
        data: { values: [{ y: 1 }] },
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

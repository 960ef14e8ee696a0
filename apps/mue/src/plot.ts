import { renderVegaLiteSvg, type TopLevelSpec, xyChartSvg, type XyPoint } from '@offramp/plot';
import type { SearchPoint } from './search.js';
import { keptShare, type TaskReport } from './task-report.js';

/** The searched settings that no other beats on both score and MACs, by increasing MACs. */
export function paretoPoints(points: readonly SearchPoint[]): SearchPoint[] {
  const sorted = [...points].sort((a, b) => a.macs - b.macs || b.score - a.score);
  const front: SearchPoint[] = [];
  for (const p of sorted) if (front.length === 0 || p.score > front[front.length - 1]!.score) front.push(p);
  return front;
}

/** 'hand-set' or 'searched' (or 'full model'). */
function shortName(policy: string): string {
  return policy.split(' (')[0]!;
}

/** Score kept vs MACs: the validation search front per task, and the test results of each policy as markers. */
export function tradeoffSvg(reports: readonly TaskReport[]): Promise<string> {
  const series = reports.map((r) => ({
    name: `${r.task} (validation)`,
    points: paretoPoints(r.validation.points).map((p): XyPoint => ({ x: p.macs / r.validation.fullMacs, y: 100 * keptShare(p.score, r.validation.fullScore) })),
  }));
  const markers = reports.flatMap((r) =>
    r.rows
      .filter((row) => row.thresholds)
      .map((row) => ({ label: `${r.task} ${shortName(row.policy)}`, x: 1 - row.macsSaved, y: 100 * row.kept })),
  );
  return xyChartSvg({
    title: 'MuE on MNIST: score kept vs MACs (lines: validation search front; diamonds: test)',
    x: { title: 'mean MACs (full model = 1)', domain: [0, 1.05] },
    y: { title: 'score kept (% of the full model)' },
    series,
    markers,
  });
}

/** Bar charts of the exit layers per stream and decoder (test set), one panel per task and part. */
export function exitHistogramSvg(reports: readonly TaskReport[]): Promise<string> {
  const values = reports.flatMap((r) =>
    r.rows
      .filter((row) => row.thresholds)
      .flatMap((row) =>
        (['image', 'text', 'decoder'] as const).flatMap((part) =>
          row.exitHistogram[part].map((count, layer) => ({
            panel: `${r.task}: ${part}`,
            policy: shortName(row.policy),
            layer: layer + 1,
            share: count / Math.max(1, row.exitHistogram[part].reduce((a, b) => a + b, 0)),
          })),
        ),
      ),
  );
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Exit layers on the test set (share of samples; decoder: of decoded steps)',
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null },
    columns: 3,
    spec: {
      width: 180,
      height: 120,
      mark: 'bar',
      encoding: {
        x: { field: 'layer', type: 'ordinal', title: 'exit layer' },
        xOffset: { field: 'policy', type: 'nominal' },
        y: { field: 'share', type: 'quantitative', title: 'share', scale: { domain: [0, 1] } },
        color: { field: 'policy', type: 'nominal' },
      },
    },
  };
  return renderVegaLiteSvg(spec);
}

import { xyChartSvg } from '@offramp/plot';
import type { ExperimentReport } from './experiment.js';

/** Accuracy vs MACs on the test set: each baseline's threshold curve, the JEI-DNN lambda points, the oracle and full model. */
export function accuracyCostSvg(report: ExperimentReport): Promise<string> {
  const jeiPoints = report.jei
    .map((j) => ({ x: j.outcome.test.meanCostVsBackbone, y: 100 * (j.outcome.test.accuracy ?? 0) }))
    .sort((a, b) => a.x - b.x);
  const accuracies = [
    ...report.jei.map((j) => j.outcome.test.accuracy ?? 0),
    report.fullModel.accuracy,
    ...report.baselines.map((b) => b.outcome?.test.accuracy ?? report.fullModel.accuracy),
  ];
  const low = Math.max(0, Math.floor(100 * Math.min(...accuracies) - 2));
  return xyChartSvg({
    title: `${report.dataset}: accuracy vs cost (test set)`,
    x: { title: 'mean MACs (fraction of the plain backbone)', domain: [0, 1.1] },
    y: { title: 'test accuracy (%)', domain: [low, Math.min(100, Math.ceil(100 * (report.oracle.accuracy ?? 1)) + 1)] },
    series: [
      ...report.baselines.map((b) => ({
        name: b.kind === 'learned' ? 'BERxiT-style' : b.gate,
        points: b.testCurve.points.map((p) => ({ x: p.meanCostVsBackbone, y: 100 * p.accuracy })).filter((p) => p.y >= low),
      })),
      { name: 'JEI-DNN', points: jeiPoints },
    ],
    markers: [
      ...jeiPoints.map((p) => ({ series: 'JEI-DNN', ...p })),
      { label: 'full model', x: 1, y: 100 * report.fullModel.accuracy },
      { label: 'oracle', x: report.oracle.meanCostVsBackbone, y: 100 * (report.oracle.accuracy ?? 0) },
    ],
  });
}

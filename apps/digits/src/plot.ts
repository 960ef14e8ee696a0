import { xyChartSvg } from '@offramp/plot';
import type { GateReport } from './evaluate-gate.js';

export interface PlotInput {
  readonly gates: readonly GateReport[];
  readonly fullModel: { readonly accuracy: number; readonly meanCost: number };
  readonly oracle: { readonly accuracy: number; readonly meanCost: number };
}

/** Accuracy vs MACs on the test set: a curve per gate, the chosen points, the full model and the oracle. */
export function accuracyCostSvg(input: PlotInput): Promise<string> {
  return xyChartSvg({
    title: 'MNIST digits: accuracy vs cost of early exit (test set)',
    x: { title: 'mean MACs (fraction of the plain backbone)', domain: [0, 1.1] },
    y: { title: 'test accuracy (%)' },
    series: input.gates.map((g) => ({
      name: g.gate,
      points: g.testCurve.points.map((p) => ({ x: p.meanCostVsBackbone, y: 100 * p.accuracy })),
    })),
    markers: [
      ...input.gates
        .filter((g) => g.test)
        .map((g) => ({ series: g.gate, x: g.test!.meanCostVsBackbone, y: 100 * (g.test!.accuracy ?? 0) })),
      { label: 'full model', x: input.fullModel.meanCost, y: 100 * input.fullModel.accuracy },
      { label: 'oracle', x: input.oracle.meanCost, y: 100 * input.oracle.accuracy },
    ],
  });
}

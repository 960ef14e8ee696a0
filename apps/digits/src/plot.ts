import { reliabilityDiagramSvg, xyChartSvg } from '@offramp/plot';
import type { GateReport } from './evaluate-gate.js';
import type { ExitCalibration } from './exit-calibration.js';

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

/** Reliability diagram per exit on the test set: the raw heads on the first row, temperature-scaled below. */
export function reliabilitySvg(calibration: readonly ExitCalibration[]): Promise<string> {
  return reliabilityDiagramSvg(
    [
      ...calibration.map((c) => ({ name: `exit ${c.exit + 1}`, bins: c.diagram.bins, ece: c.ece.width })),
      ...calibration.map((c) => ({
        name: `exit ${c.exit + 1}, T = ${c.temperature.toFixed(2)}`,
        bins: c.diagramScaled.bins,
        ece: c.eceScaled.width,
      })),
    ],
    { title: 'MNIST digits: reliability per exit (test set, 15 equal-width bins)', columns: calibration.length },
  );
}

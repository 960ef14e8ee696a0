import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { GateReport } from './evaluate-gate.js';

export interface PlotInput {
  readonly gates: readonly GateReport[];
  readonly fullModel: { readonly accuracy: number; readonly meanCost: number };
  readonly oracle: { readonly accuracy: number; readonly meanCost: number };
}

/** Accuracy vs normalised cost on the test set: a curve per gate, the chosen points, the full model and the oracle. */
export async function accuracyCostSvg(input: PlotInput): Promise<string> {
  const curves = input.gates.flatMap((g) =>
    g.testCurve.points.map((p) => ({ gate: g.gate, cost: p.meanCostVsBackbone, accuracy: 100 * p.accuracy })),
  );
  const chosen = input.gates
    .filter((g) => g.test)
    .map((g) => ({ gate: g.gate, cost: g.test!.meanCostVsBackbone, accuracy: 100 * (g.test!.accuracy ?? 0) }));
  const references = [
    { label: 'full model', cost: input.fullModel.meanCost, accuracy: 100 * input.fullModel.accuracy },
    { label: 'oracle', cost: input.oracle.meanCost, accuracy: 100 * input.oracle.accuracy },
  ];
  const x = {
    field: 'cost',
    type: 'quantitative' as const,
    title: 'mean MACs (fraction of the plain backbone)',
    scale: { domain: [0, 1.1] },
  };
  const y = { field: 'accuracy', type: 'quantitative' as const, title: 'test accuracy (%)', scale: { zero: false } };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'MNIST digits: accuracy vs cost of early exit (test set)',
    width: 560,
    height: 360,
    layer: [
      { data: { values: curves }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color: { field: 'gate', type: 'nominal' } } },
      {
        data: { values: chosen },
        mark: { type: 'point', filled: true, size: 90 },
        encoding: { x, y, color: { field: 'gate', type: 'nominal' } },
      },
      {
        data: { values: references },
        mark: { type: 'point', shape: 'diamond', filled: true, size: 140, color: 'black' },
        encoding: { x, y },
      },
      {
        data: { values: references },
        mark: { type: 'text', align: 'left', dx: 8, dy: -6, fontSize: 11 },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

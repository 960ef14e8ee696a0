import { ArgumentError } from '@offramp/core';
import { renderVegaLiteSvg, type TopLevelSpec } from './render.js';

/** One bin of a reliability diagram (the shape `reliabilityDiagram` of @offramp/calibration returns). */
export interface ReliabilityBinInput {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Fraction of the bin's samples predicted right, in [0, 1]. */
  readonly accuracy: number;
  /** Mean top-label confidence of the bin, in [0, 1]. */
  readonly confidence: number;
}

/** One panel: a name (e.g. the exit) and its bins; `ece` is shown in the panel title when given. */
export interface ReliabilityPanel {
  readonly name: string;
  readonly bins: readonly ReliabilityBinInput[];
  readonly ece?: number;
}

export interface ReliabilityDiagramOptions {
  readonly title?: string;
  /** Panels per row. Default: all in one row. */
  readonly columns?: number;
  /** Width and height of each panel in pixels. Default 220. */
  readonly size?: number;
}

function checkBins(panel: ReliabilityPanel, index: number): void {
  if (typeof panel.name !== 'string' || panel.name.length === 0) {
    throw new ArgumentError({ field: `diagrams[${index}].name`, expected: 'a non-empty name', received: JSON.stringify(panel.name) });
  }
  panel.bins.forEach((bin, m) => {
    for (const key of ['lower', 'upper', 'accuracy', 'confidence'] as const) {
      const v = bin[key];
      if (!(Number.isFinite(v) && v >= 0 && v <= 1)) {
        throw new ArgumentError({ field: `diagrams[${index}].bins[${m}].${key}`, expected: 'a number in [0, 1]', received: String(v) });
      }
    }
    if (!(Number.isInteger(bin.count) && bin.count >= 0)) {
      throw new ArgumentError({ field: `diagrams[${index}].bins[${m}].count`, expected: 'a whole number >= 0', received: String(bin.count) });
    }
  });
}

/**
 * Reliability diagrams as SVG, one panel per name: per bin a bar of accuracy from `lower` to `upper`,
 * the gap to the bin's mean confidence shaded, and the diagonal of perfect calibration.
 */
export async function reliabilityDiagramSvg(
  diagrams: readonly ReliabilityPanel[],
  options: ReliabilityDiagramOptions = {},
): Promise<string> {
  if (diagrams.length === 0) {
    throw new ArgumentError({ field: 'diagrams', expected: 'at least one diagram', received: 'none' });
  }
  diagrams.forEach(checkBins);
  const size = options.size ?? 220;
  const unit = { type: 'quantitative' as const, scale: { domain: [0, 1] } };
  const panels = diagrams.map((panel) => {
    const values = panel.bins.filter((b) => b.count > 0).map((b) => ({ ...b }));
    const title = panel.ece === undefined ? panel.name : `${panel.name} (ECE ${(100 * panel.ece).toFixed(2)}%)`;
    return {
      title,
      width: size,
      height: size,
      layer: [
        {
          data: { values },
          mark: { type: 'rect' as const, color: '#4c78a8', stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            x: { field: 'lower', ...unit, title: 'confidence' },
            x2: { field: 'upper' },
            y: { field: 'accuracy', ...unit, title: 'accuracy' },
            y2: { datum: 0 },
          },
        },
        {
          data: { values },
          mark: { type: 'rect' as const, color: '#e45756', opacity: 0.35 },
          encoding: {
            x: { field: 'lower', ...unit },
            x2: { field: 'upper' },
            y: { field: 'accuracy', ...unit },
            y2: { field: 'confidence' },
          },
        },
        {
          data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
          mark: { type: 'line' as const, color: 'gray', strokeDash: [4, 4] },
          encoding: { x: { field: 'x', ...unit }, y: { field: 'y', ...unit } },
        },
      ],
    };
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: { text: options.title, offset: 14 } } : {}),
    columns: options.columns ?? diagrams.length,
    concat: panels,
  };
  return renderVegaLiteSvg(spec);
}

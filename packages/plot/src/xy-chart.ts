import { ArgumentError } from '@offramp/core';
import { renderVegaLiteSvg, type TopLevelSpec } from './render.js';

export interface XyPoint {
  readonly x: number;
  readonly y: number;
}

/** A named line of points, drawn in order of x. */
export interface XySeries {
  readonly name: string;
  readonly points: readonly XyPoint[];
}

/** A single marked point: `series` colours it like that line; without it, a black labelled diamond. */
export interface XyMarker extends XyPoint {
  readonly series?: string;
  readonly label?: string;
}

export interface AxisOptions {
  readonly title: string;
  readonly domain?: readonly [number, number];
  /** Whether the scale must include zero (default: false). */
  readonly zero?: boolean;
}

export interface XyChartOptions {
  readonly title: string;
  readonly x: AxisOptions;
  readonly y: AxisOptions;
  readonly series: readonly XySeries[];
  readonly markers?: readonly XyMarker[];
  readonly width?: number;
  readonly height?: number;
}

function checkFinite(values: readonly XyPoint[], field: string): void {
  values.forEach((p, i) => {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      throw new ArgumentError({ field: `${field}[${i}]`, expected: 'finite x and y', received: `(${p.x}, ${p.y})` });
    }
  });
}

function axis(options: AxisOptions, field: 'x' | 'y') {
  return {
    field,
    type: 'quantitative' as const,
    title: options.title,
    scale: { zero: options.zero ?? false, ...(options.domain ? { domain: [...options.domain] } : {}) },
  };
}

/** Lines per series with optional markers, as SVG. */
export async function xyChartSvg(options: XyChartOptions): Promise<string> {
  options.series.forEach((s, i) => {
    checkFinite(s.points, `series[${i}].points`);
  });
  checkFinite(options.markers ?? [], 'markers');
  const x = axis(options.x, 'x');
  const y = axis(options.y, 'y');
  const lines = options.series.flatMap((s) => s.points.map((p) => ({ series: s.name, x: p.x, y: p.y })));
  const coloured = (options.markers ?? []).filter((m) => m.series !== undefined);
  const labelled = (options.markers ?? []).filter((m) => m.series === undefined);
  const color = { field: 'series', type: 'nominal' as const, title: null };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: options.width ?? 560,
    height: options.height ?? 360,
    layer: [
      { data: { values: lines }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color } },
      { data: { values: coloured }, mark: { type: 'point', filled: true, size: 90 }, encoding: { x, y, color } },
      {
        data: { values: labelled },
        mark: { type: 'point', shape: 'diamond', filled: true, size: 140, color: 'black' },
        encoding: { x, y },
      },
      {
        data: { values: labelled },
        mark: { type: 'text', align: 'left', dx: 8, dy: -6, fontSize: 11 },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  };
  return renderVegaLiteSvg(spec);
}

import type { CurvePoint, GateCurve } from './curve.js';

export interface CurveChart {
  /** Every gate's curve; `highlight` names the one drawn in colour. */
  readonly curves: readonly GateCurve[];
  readonly highlight: string;
  /** The operating point marked on the chart. */
  readonly current: CurvePoint;
  readonly width?: number;
  readonly height?: number;
}

const MARGIN = { left: 52, right: 14, top: 14, bottom: 40 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Round tick values covering [min, max]. */
export function ticks(min: number, max: number, count: number): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

/** Bounds of the chart: accuracy from a little under the lowest point, cost from 0. */
export function chartBounds(chart: CurveChart): { cost: [number, number]; accuracy: [number, number] } {
  const all = [...chart.curves.flatMap((c) => c.points), chart.current];
  const maxCost = Math.max(...all.map((p) => p.cost));
  const accuracies = all.map((p) => p.accuracy);
  const low = Math.min(...accuracies);
  const high = Math.max(...accuracies);
  const pad = Math.max(0.005, (high - low) * 0.05);
  return { cost: [0, maxCost * 1.05], accuracy: [Math.max(0, low - pad), Math.min(1, high + pad)] };
}

/**
 * An accuracy (y, %) vs cost (x, MACs relative to the backbone) chart as an SVG string: every
 * curve as a line (the highlighted one in colour), the operating point as a red dot.
 */
export function curveSvg(chart: CurveChart): string {
  const width = chart.width ?? 460;
  const height = chart.height ?? 300;
  const bounds = chartBounds(chart);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const x = (cost: number) => MARGIN.left + ((cost - bounds.cost[0]) / (bounds.cost[1] - bounds.cost[0])) * plotW;
  const y = (acc: number) => MARGIN.top + (1 - (acc - bounds.accuracy[0]) / (bounds.accuracy[1] - bounds.accuracy[0])) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="accuracy vs cost">`);
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="#fff" stroke="#bbb"/>`);
  for (const t of ticks(bounds.cost[0], bounds.cost[1], 5)) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text x="${x(t)}" y="${MARGIN.top + plotH + 14}" font-size="11" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(bounds.accuracy[0] * 100, bounds.accuracy[1] * 100, 5)) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(t / 100)}" y2="${y(t / 100)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 4}" y="${y(t / 100) + 4}" font-size="11" text-anchor="end">${t}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 6}" font-size="12" text-anchor="middle">mean MACs / backbone MACs</text>`);
  parts.push(`<text x="12" y="${MARGIN.top + plotH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 12 ${MARGIN.top + plotH / 2})">test accuracy (%)</text>`);
  const ordered = [...chart.curves.filter((c) => c.gate !== chart.highlight), ...chart.curves.filter((c) => c.gate === chart.highlight)];
  for (const curve of ordered) {
    const on = curve.gate === chart.highlight;
    const points = curve.points.map((p) => `${x(p.cost).toFixed(1)},${y(p.accuracy).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline data-gate="${escapeXml(curve.gate)}" points="${points}" fill="none" stroke="${on ? '#1f6feb' : '#c8c8c8'}" stroke-width="${on ? 2 : 1}"><title>${escapeXml(curve.gate)}</title></polyline>`,
    );
  }
  const cx = x(chart.current.cost).toFixed(1);
  const cy = y(chart.current.accuracy).toFixed(1);
  parts.push(`<circle id="operating-point" cx="${cx}" cy="${cy}" r="5" fill="#d1242f" stroke="#fff" stroke-width="1.5"/>`);
  parts.push(`<text x="${MARGIN.left + 6}" y="${MARGIN.top + 14}" font-size="11" fill="#1f6feb">${escapeXml(chart.highlight)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

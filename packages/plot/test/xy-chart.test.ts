import { describe, expect, it } from 'vitest';
import { ArgumentError } from '@offramp/core';
import { xyChartSvg } from '../src/index.js';

describe('xyChartSvg', () => {
  it('renders series, coloured markers and labelled markers to SVG', async () => {
    const svg = await xyChartSvg({
      title: 'accuracy vs cost',
      x: { title: 'cost', domain: [0, 1] },
      y: { title: 'accuracy (%)' },
      series: [
        { name: 'max-prob', points: [{ x: 0.2, y: 90 }, { x: 0.5, y: 95 }] },
        { name: 'entropy', points: [{ x: 0.3, y: 91 }, { x: 0.6, y: 94 }] },
      ],
      markers: [
        { series: 'max-prob', x: 0.5, y: 95 },
        { label: 'oracle', x: 0.15, y: 98 },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['accuracy vs cost', 'max-prob', 'entropy', 'oracle', 'cost', 'accuracy (%)']) {
      expect(svg).toContain(text);
    }
    // two line paths, one per series
    expect(svg.match(/class="mark-line/g)?.length).toBeGreaterThanOrEqual(1);
  });
  it('rejects non-finite points, naming the point', async () => {
    await expect(
      xyChartSvg({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 'a', points: [{ x: 0, y: Number.NaN }] }] }),
    ).rejects.toThrow(ArgumentError);
    await expect(
      xyChartSvg({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 'a', points: [{ x: 0, y: Number.NaN }] }] }),
    ).rejects.toThrow(/series\[0\].points\[0\]/);
  });
});

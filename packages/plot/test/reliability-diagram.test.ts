import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { reliabilityDiagramSvg } from '../src/index.js';

const bins = [
  { lower: 0.25, upper: 0.5, count: 1, accuracy: 0, confidence: 0.5 },
  { lower: 0.5, upper: 0.75, count: 2, accuracy: 0.5, confidence: 0.6875 },
  { lower: 0.75, upper: 1, count: 2, accuracy: 1, confidence: 0.9375 },
];

describe('reliabilityDiagramSvg', () => {
  it('draws one panel per diagram with bars per bin, the gaps and the diagonal', async () => {
    const svg = await reliabilityDiagramSvg(
      [
        { name: 'exit 1', bins, ece: 0.2 },
        { name: 'exit 2', bins: bins.slice(1) },
      ],
      { title: 'reliability', columns: 2 },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['reliability', 'exit 1 (ECE 20.00%)', 'exit 2', 'confidence', 'accuracy']) expect(svg).toContain(text);
    const items = (layer: string) => (new RegExp(`${layer}_marks"[^>]*>(.*?)</g>`, 's').exec(svg)?.[1] ?? '').split('<path').length - 1;
    expect(items('concat_0_layer_0')).toBe(3); // accuracy bars of exit 1
    expect(items('concat_0_layer_1')).toBe(3); // gap bars of exit 1
    expect(items('concat_1_layer_0')).toBe(2); // accuracy bars of exit 2
    const rectMarks = svg.match(/class="mark-rect role-mark[^"]*"/g) ?? [];
    expect(rectMarks.length).toBe(4); // two rect layers per panel
    const lineMarks = svg.match(/class="mark-line role-mark[^"]*"/g) ?? [];
    expect(lineMarks.length).toBe(2); // a diagonal per panel
  });

  it('rejects no diagrams, unnamed panels and values outside [0, 1]', async () => {
    await expect(reliabilityDiagramSvg([])).rejects.toThrow(ArgumentError);
    await expect(reliabilityDiagramSvg([{ name: '', bins }])).rejects.toThrow(/diagrams\[0\]\.name/);
    await expect(
      reliabilityDiagramSvg([{ name: 'a', bins: [{ ...bins[0]!, accuracy: 1.5 }] }]),
    ).rejects.toThrow(/diagrams\[0\]\.bins\[0\]\.accuracy/);
  });
});

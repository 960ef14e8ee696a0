import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { meanInk } from '../src/evaluate.js';
import { imageGridPng } from '../src/png-grid.js';
import { change, meanSd, winsOf } from '../src/report.js';

describe('report helpers', () => {
  it('mean ± sample sd, relative change and paired wins', () => {
    expect(meanSd([1, 2, 3], 2)).toBe('2.00 ± 1.00');
    expect(change([10, 10], [8, 9])).toBe('-15.0%');
    expect(change([4], [5])).toBe('+25.0%');
    expect(winsOf([3, 2, 1], [2, 3, 0])).toBe('2/3');
  });
  it('mean ink maps [-1, 1] to [0, 1] after clipping: (0 + 1 + 0.5 + 1) / 4', () => {
    expect(meanInk({ pixels: Float32Array.from([-1, 1, 0, 3]), n: 1, size: 2 })).toBeCloseTo(0.625, 6);
  });
});

describe('imageGridPng', () => {
  it('lays panels side by side, scales images up and maps [-1, 1] to 0..255', () => {
    const a = { pixels: Float32Array.from([-1, 1, 1, -1]), n: 1, size: 2 };
    const b = { pixels: Float32Array.from([0]), n: 1, size: 1 };
    const png = PNG.sync.read(imageGridPng([a, b], { columns: 1, rows: 1, cell: 4, gap: 1, panelGap: 2 }));
    expect([png.width, png.height]).toEqual([4 + 2 + 4, 4]);
    // pngjs decodes to RGBA
    const at = (x: number, y: number) => png.data[(y * png.width + x) * 4]!;
    expect([at(0, 0), at(1, 1), at(2, 0), at(3, 3), at(0, 2)]).toEqual([0, 0, 255, 0, 255]);
    expect(at(4, 0)).toBe(128); // the gap between panels
    expect(at(6, 0)).toBe(128); // 0 maps to mid-grey (127.5 rounds to 128)
    expect(() => imageGridPng([a], { columns: 1, rows: 1, cell: 3, gap: 0, panelGap: 0 })).toThrow(/cell size/);
  });
});

import { ArgumentError } from '@offramp/core';
import type { ImageBatch } from '@offramp/diffusion';
import { PNG } from 'pngjs';

export interface GridLayout {
  /** Images per row and rows in a panel. */
  readonly columns: number;
  readonly rows: number;
  /** On-screen pixels per image side (images are scaled up by repeating pixels; must be a multiple of each side). */
  readonly cell: number;
  /** Pixels between images and between panels. */
  readonly gap: number;
  readonly panelGap: number;
}

/**
 * Panels of images side by side in one grayscale PNG: each panel a columns x rows grid of images in [-1, 1]
 * (clipped), scaled up to `cell` pixels by nearest-neighbour, on a mid-grey background.
 */
export function imageGridPng(panels: readonly ImageBatch[], layout: GridLayout): Buffer {
  const { columns, rows, cell, gap, panelGap } = layout;
  panels.forEach((p, i) => {
    if (cell % p.size !== 0) {
      throw new ArgumentError({ field: `panels[${i}].size`, expected: `a divisor of the cell size ${cell}`, received: String(p.size) });
    }
  });
  const panelWidth = columns * cell + (columns - 1) * gap;
  const width = panels.length * panelWidth + (panels.length - 1) * panelGap;
  const height = rows * cell + (rows - 1) * gap;
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  const data = Buffer.alloc(width * height, 128);
  panels.forEach((panel, p) => {
    const scale = cell / panel.size;
    for (let i = 0; i < Math.min(panel.n, columns * rows); i++) {
      const left = p * (panelWidth + panelGap) + (i % columns) * (cell + gap);
      const top = Math.floor(i / columns) * (cell + gap);
      for (let y = 0; y < cell; y++) {
        for (let x = 0; x < cell; x++) {
          const v = panel.pixels[(i * panel.size + Math.floor(y / scale)) * panel.size + Math.floor(x / scale)]!;
          data[(top + y) * width + left + x] = Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255);
        }
      }
    }
  });
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

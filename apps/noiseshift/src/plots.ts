import type { NoiseTable } from '@offramp/diffusion';
import { xyChartSvg, type XySeries } from '@offramp/plot';
import type { SettingResult } from './evaluate.js';

/** Calibrated conditioning level against the scheduled one, a line per model and side, with the identity. */
export async function calibrationSvg(tables: readonly { model: string; table: NoiseTable }[]): Promise<string> {
  const series: XySeries[] = [
    { name: 'identity (no shift)', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
    ...tables.map(({ model, table }) => ({
      name: `${model} ${table.resolution}x${table.resolution}`,
      points: table.levels.map((s, k) => ({ x: table.schedule[k]!, y: s })),
    })),
  ];
  return xyChartSvg({
    title: 'NoiseShift: calibrated conditioning level vs scheduled level',
    x: { title: 'scheduled level t_k (1 = pure noise)', domain: [0, 1] },
    y: { title: 'calibrated level s_k', domain: [0, 1] },
    series,
  });
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * What NoiseShift changes, per side: the relative change (percent, negative = better) of the Frechet distance
 * and of the held-out denoising error against the scheduled levels, a line per model and metric. Relative
 * changes are comparable across sides, the distances themselves are not (each side has its own classifier).
 */
export async function gainSvg(results: readonly SettingResult[]): Promise<string> {
  const models = [...new Set(results.map((r) => r.model))];
  const metrics = [
    { name: 'FD', of: (r: SettingResult) => mean(r.frechet) },
    { name: 'error', of: (r: SettingResult) => mean(r.denoisingError) },
  ];
  const series = models.flatMap((model) =>
    metrics.map((metric) => ({
      name: `${model} ${metric.name}`,
      points: [...new Set(results.filter((r) => r.model === model).map((r) => r.side))].map((side) => {
        const at = (mode: string) => results.find((r) => r.model === model && r.side === side && r.mode === mode)!;
        const before = metric.of(at('scheduled'));
        return { x: side, y: (100 * (metric.of(at('noiseshift')) - before)) / before };
      }),
    })),
  );
  return xyChartSvg({
    title: 'NoiseShift vs scheduled levels: change per side (negative = better)',
    x: { title: 'image side (pixels)' },
    y: { title: 'change with NoiseShift (%)' },
    series,
    width: 480,
  });
}

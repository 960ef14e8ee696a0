import type { SettingResult } from './evaluate.js';

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: readonly number[]): number => {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};

/** "mean ± sd" over seeds. */
export function meanSd(v: readonly number[], digits: number): string {
  return `${mean(v).toFixed(digits)} ± ${sd(v).toFixed(digits)}`;
}

/** Relative change of the means, in percent (negative = lower than before). */
export function change(before: readonly number[], after: readonly number[]): string {
  const pct = (100 * (mean(after) - mean(before))) / mean(before);
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** Seeds where the second setting is lower than the first (paired by seed). */
export function winsOf(before: readonly number[], after: readonly number[]): string {
  return `${after.filter((v, i) => v < before[i]!).length}/${after.length}`;
}

/** The markdown table of the results: one row per model and side, scheduled vs NoiseShift. */
export function markdownTable(
  results: readonly SettingResult[],
  floors: ReadonlyMap<number, number>,
  realInk: ReadonlyMap<number, number>,
): string {
  const lines = [
    '| model | side | FD scheduled | FD NoiseShift | FD change | lower FD (seeds) | denoising error scheduled | denoising error NoiseShift | error change | real-data FD floor | ink scheduled / NoiseShift / real |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const keys = [...new Set(results.map((r) => `${r.model}|${r.side}`))];
  for (const key of keys) {
    const [model, side] = key.split('|');
    const of = (mode: string) => results.find((r) => `${r.model}|${r.side}` === key && r.mode === mode)!;
    const a = of('scheduled');
    const b = of('noiseshift');
    lines.push(
      `| ${model} | ${side}x${side} | ${meanSd(a.frechet, 2)} | ${meanSd(b.frechet, 2)} | ${change(a.frechet, b.frechet)} | ${winsOf(a.frechet, b.frechet)} | ${meanSd(a.denoisingError, 4)} | ${meanSd(b.denoisingError, 4)} | ${change(a.denoisingError, b.denoisingError)} | ${floors.get(Number(side))?.toFixed(2) ?? '-'} | ${mean(a.ink).toFixed(3)} / ${mean(b.ink).toFixed(3)} / ${realInk.get(Number(side))?.toFixed(3) ?? '-'} |`,
    );
  }
  return lines.join('\n');
}

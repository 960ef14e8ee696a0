import type { TaskReport } from './task-report.js';

const pct = (v: number, digits = 1): string => (100 * v).toFixed(digits);
const signed = (v: number): string => `${v > 0 ? '-' : '+'}${Math.abs(100 * v).toFixed(1)}%`;

function thresholds(row: TaskReport['rows'][number]): string {
  const t = row.thresholds;
  if (!t) return '-';
  const f = (v: number) => (v > 1 ? 'none' : v.toFixed(3));
  return `${f(t.image)} / ${f(t.text)} / ${f(t.decoder)}`;
}

/** The markdown table of both tasks (test set). */
export function markdownTable(reports: readonly TaskReport[]): string {
  const lines = [
    '| task | policy | thresholds img / txt / dec | score (%) | score kept (%) | mean kMACs | MACs | time per sample (ms) | time | exits image / text / decoder (per layer) | real = trace |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const report of reports) {
    for (const row of report.rows) {
      const score = `${pct(row.score, 2)}${row.exact !== undefined ? ` (exact ${pct(row.exact, 1)})` : ''}`;
      const h = row.exitHistogram;
      lines.push(
        `| ${report.task} | ${row.policy} | ${thresholds(row)} | ${score} | ${pct(row.kept, 1)} | ${(row.macs / 1000).toFixed(1)} | ${row.thresholds ? signed(row.macsSaved) : '-'} | ${row.ms.toFixed(2)} | ${row.thresholds ? signed(row.timeSaved) : '-'} | ${h.image.join(',')} / ${h.text.join(',')} / ${h.decoder.join(',')} | ${row.realMatchesTrace}/${report.timedSamples} |`,
      );
    }
  }
  return lines.join('\n');
}

import { xyChartSvg } from '@offramp/plot';
import type { EmoLmReport } from './report.js';

/** Perplexity against relative MACs of real early-exit decoding (validation sweep), per fine-tuning and exit set. */
export function earlyExitChart(report: EmoLmReport): Promise<string> {
  const short = { 'all exits': 'all exits', 'first exit only': 'exit 1 only' } as const;
  const series = (['mle', 'emo'] as const).flatMap((kind) => {
    const sweep = report.earlyExit[kind].sweep;
    const sets = [...new Set(sweep.points.map((p) => p.exitSet))];
    return sets.map((exitSet) => ({
      name: `${kind.toUpperCase()}, ${short[exitSet]}`,
      points: sweep.points.filter((p) => p.exitSet === exitSet).map((p) => ({ x: p.relativeMacs, y: p.run.perplexity })),
    }));
  });
  return xyChartSvg({
    title: 'Early-exit decoding: perplexity vs compute (max-prob gate, validation)',
    x: { title: 'MACs per token (full model = 1)' },
    y: { title: 'perplexity' },
    series,
    markers: (['mle', 'emo'] as const).map((kind) => ({
      x: 1,
      y: report.earlyExit[kind].sweep.full.perplexity,
      label: `${kind.toUpperCase()} full model`,
    })),
  });
}

/** Test perplexity at every exit for the base and the two fine-tuned models. */
export function exitPerplexityChart(report: EmoLmReport): Promise<string> {
  return xyChartSvg({
    title: 'Held-out perplexity at each exit',
    x: { title: 'exit (layer)' },
    y: { title: 'perplexity' },
    series: report.rows.map((row) => ({
      name: row.model.replace(' (MLE pre-trained)', ''),
      points: row.perplexities.map((p, l) => ({ x: l + 1, y: p })),
    })),
  });
}

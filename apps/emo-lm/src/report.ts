import type { EarlyExitResult } from './early-exit-eval.js';
import type { TextQuality } from './quality.js';
import type { SpeculativeResult } from './speculative-eval.js';

export interface ModelRow {
  readonly model: string;
  /** Test perplexity of every exit (teacher forcing). */
  readonly perplexities: readonly number[];
  readonly quality: TextQuality;
}

export interface EmoLmReport {
  readonly corpus: {
    readonly addresses: { train: number; validation: number; test: number };
    readonly characters: { train: number; validation: number; test: number };
    readonly tokens: { train: number; validation: number; test: number };
    readonly vocabSize: number;
    readonly heldOut: { validation: readonly string[]; test: readonly string[] };
  };
  readonly model: { layers: number; dModel: number; heads: number; context: number; parameters: number };
  readonly training: {
    readonly pretrainWindows: number;
    readonly finetuneWindows: number;
    readonly pretrainLosses: readonly number[];
    readonly finetuneLosses: { mle: readonly number[]; emo: readonly number[] };
    readonly seconds: { pretrain: number; mle: number; emo: number };
    readonly cached: boolean;
  };
  readonly rows: readonly ModelRow[];
  readonly human: TextQuality;
  /** The first prompt, its human continuation and each model's sampled continuation. */
  readonly examples: readonly { readonly model: string; readonly text: string }[];
  readonly earlyExit: { readonly mle: EarlyExitResult; readonly emo: EarlyExitResult };
  readonly speculative: { readonly mle: SpeculativeResult; readonly emo: SpeculativeResult };
  readonly tolerance: number;
  readonly seconds: number;
}

/** A number for a table: fixed digits, '-' when not finite. */
export const f = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** The quality table: perplexity per exit and continuation metrics. */
export function qualityTable(report: EmoLmReport): string {
  const layers = report.model.layers;
  const exitHeads = Array.from({ length: layers }, (_, l) => `ppl exit ${l + 1}`).join(' | ');
  const lines = [
    `| model | ${exitHeads} | distinct-1 | distinct-2 | distinct-3 | rep-4 | Frechet to human |`,
    `|---|${'---|'.repeat(layers)}---|---|---|---|---|`,
  ];
  for (const row of report.rows) {
    const q = row.quality;
    lines.push(
      `| ${row.model} | ${row.perplexities.map((p) => f(p)).join(' | ')} | ${f(q.distinct1, 3)} | ${f(q.distinct2, 3)} | ${f(q.distinct3, 3)} | ${f(q.repetition4, 3)} | ${f(q.frechet, 3)} |`,
    );
  }
  const h = report.human;
  lines.push(
    `| human text | ${Array.from({ length: layers }, () => '-').join(' | ')} | ${f(h.distinct1, 3)} | ${f(h.distinct2, 3)} | ${f(h.distinct3, 3)} | ${f(h.repetition4, 3)} | ${f(h.frechet, 3)} |`,
  );
  return lines.join('\n');
}

/** The early-exit table: matched-perplexity operating point and decoding speed with and without early exit. */
export function earlyExitTable(report: EmoLmReport): string {
  const lines = [
    '| fine-tuned with | exits used | threshold | test ppl full | test ppl early exit | tokens per exit | MACs (full = 1) | tokens/s full | tokens/s early exit | speed-up |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, r] of [['MLE', report.earlyExit.mle], ['EMO', report.earlyExit.emo]] as const) {
    if (!r.test || !r.chosen) {
      lines.push(`| ${name} | none within ${(report.tolerance * 100).toFixed(0)}% | - | - | - | - | - | - | - | - |`);
      continue;
    }
    const { full, early } = r.test;
    lines.push(
      `| ${name} | ${r.chosen.exitSet} | ${r.chosen.threshold} | ${f(full.perplexity)} | ${f(early.perplexity)} | ${early.exitCounts.join(' / ')} | ${f(early.macsPerToken / full.macsPerToken, 3)} | ${f(full.tokensPerSecond, 0)} | ${f(early.tokensPerSecond, 0)} | ${f(early.tokensPerSecond / full.tokensPerSecond, 2)} |`,
    );
  }
  return lines.join('\n');
}

/** Greedy decoding speed: the full model, token-level early exit and self-speculative decoding, per fine-tuned model. */
export function speculativeTable(speculative: { readonly mle: SpeculativeResult; readonly emo: SpeculativeResult }): string {
  const lines = [
    '| fine-tuned with | decoding | tokens/s | speed-up | drafts accepted | tokens per pass of the upper layers | output = full model |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [name, r] of [['MLE', speculative.mle], ['EMO', speculative.emo]] as const) {
    for (const m of r.methods) {
      const accepted = m.acceptance === undefined ? '-' : `${f(100 * m.acceptance, 1)}%`;
      const perPass = m.tokensPerVerification === undefined ? '-' : f(m.tokensPerVerification);
      lines.push(`| ${name} | ${m.method} | ${f(m.tokensPerSecond, 0)} | ${f(m.speedup)} | ${accepted} | ${perPass} | ${m.identical} / ${r.prompts} |`);
    }
  }
  return lines.join('\n');
}

/** Early exit at the same threshold for both models (validation sweep): the share of tokens leaving early. */
export function sameThresholdTable(report: EmoLmReport): string {
  const mle = report.earlyExit.mle.sweep;
  const emo = report.earlyExit.emo.sweep;
  const lines = [
    '| exits used | threshold | MLE: ppl / full ppl | MLE: tokens leaving early | MLE: MACs (full = 1) | EMO: ppl / full ppl | EMO: tokens leaving early | EMO: MACs (full = 1) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  mle.points.forEach((p, i) => {
    const q = emo.points[i]!;
    const early = (x: typeof p) => {
      const counts = x.run.exitCounts;
      return (1 - counts[counts.length - 1]! / x.run.tokens) * 100;
    };
    lines.push(
      `| ${p.exitSet} | ${p.threshold} | ${f(p.run.perplexity / mle.full.perplexity, 3)} | ${f(early(p), 1)}% | ${f(p.relativeMacs, 3)} | ${f(q.run.perplexity / emo.full.perplexity, 3)} | ${f(early(q), 1)}% | ${f(q.relativeMacs, 3)} |`,
    );
  });
  return lines.join('\n');
}

/** The example continuations as a Markdown list. */
export function examplesList(report: EmoLmReport): string {
  return report.examples.map((e) => `- **${e.model}**: ${JSON.stringify(e.text)}`).join('\n');
}

import type { ExperimentReport, JeiReport } from './experiment.js';
import type { ConformalRow, PolicyOutcome } from './evaluate-policy.js';

const pct = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '-' : (100 * v).toFixed(digits));
const fixed = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '-' : v.toFixed(digits));

function conformalText(rows: readonly ConformalRow[], alpha: number): string {
  const row = rows.find((r) => Math.abs(r.alpha - alpha) < 1e-12);
  return row ? `${fixed(row.meanSetSize, 2)} / ${pct(row.coverage, 1)}` : '-';
}

function outcomeCells(o: PolicyOutcome): string {
  return `${pct(o.test.accuracy)} | ${fixed(o.test.meanCostVsBackbone)} | ${o.test.exitCounts.join(' / ')} | ${pct(o.ece.mass)} | ${pct(o.ece.width)} | ${conformalText(o.conformal, 0.05)} | ${conformalText(o.conformal, 0.1)}`;
}

/** Test-set results of every policy: accuracy, cost, exits, ECE of the exited prediction, conformal sets. */
export function policyTable(report: ExperimentReport): string {
  const rows = [
    '| policy | setting | test acc. (%) | MACs vs backbone | exits per exit | ECE mass (%) | ECE width (%) | set size / coverage (%), alpha 0.05 | alpha 0.1 |',
    '|---|---|---|---|---|---|---|---|---|',
    `| full model (last exit) | - | ${pct(report.fullModel.accuracy)} | 1.000 | - | - | - | - | - |`,
    `| oracle (warm-up heads) | - | ${pct(report.oracle.accuracy)} | ${fixed(report.oracle.meanCostVsBackbone)} | ${report.oracle.exitCounts.join(' / ')} | - | - | - | - |`,
  ];
  for (const b of report.baselines) {
    const name = b.kind === 'learned' ? `${b.gate} (BERxiT-style)` : b.gate;
    rows.push(
      b.outcome
        ? `| ${name} | threshold ${fixed(b.threshold, 4)} | ${outcomeCells(b.outcome)} |`
        : `| ${name} | none within the target on validation | - | - | - | - | - | - | - |`,
    );
  }
  for (const j of report.jei) rows.push(`| JEI-DNN | lambda ${j.lambda} | ${outcomeCells(j.outcome)} |`);
  return rows.join('\n');
}

/** The best matched baseline of one JEI network (highest test accuracy among those that fit its budget). */
export const OWN_HEADS = 'max-prob, JEI heads';

export function bestMatched(j: JeiReport): { gate: string; accuracy: number; cost: number } | null {
  let best: { gate: string; accuracy: number; cost: number } | null = null;
  for (const m of j.matched) {
    if (!m.test || m.gate === OWN_HEADS) continue;
    if (!best || m.test.accuracy > best.accuracy) best = { gate: m.gate, accuracy: m.test.accuracy, cost: m.test.meanCostVsBackbone };
  }
  return best;
}

/** JEI-DNN vs every baseline at (at most) the same cost: thresholds chosen on validation under JEI's validation cost. */
export function equalCostTable(report: ExperimentReport): string {
  const gates = report.jei[0]?.matched.map((m) => m.gate) ?? report.baselines.map((b) => b.gate);
  const rows = [
    `| lambda | JEI acc. (%) | JEI MACs vs backbone | ${gates.map((g) => `${g} acc. (%) @ MACs`).join(' | ')} | JEI - best baseline (points) | JEI - max-prob on JEI heads (points) |`,
    `|---|---|---|${gates.map(() => '---').join('|')}|---|---|`,
  ];
  for (const j of report.jei) {
    const cells = j.matched.map((m) => (m.test ? `${pct(m.test.accuracy)} @ ${fixed(m.test.meanCostVsBackbone)}` : '-'));
    const best = bestMatched(j);
    const gap = best ? (100 * ((j.outcome.test.accuracy ?? 0) - best.accuracy)).toFixed(2) : '-';
    const own = j.matched.find((m) => m.gate === OWN_HEADS)?.test;
    const ownGap = own ? (100 * ((j.outcome.test.accuracy ?? 0) - own.accuracy)).toFixed(2) : '-';
    rows.push(`| ${j.lambda} | ${pct(j.outcome.test.accuracy)} | ${fixed(j.outcome.test.meanCostVsBackbone)} | ${cells.join(' | ')} | ${gap} | ${ownGap} |`);
  }
  return rows.join('\n');
}

/** Per-exit conformal sets of JEI-DNN at one lambda and of max-prob at its operating point, for every alpha. */
export function conformalTable(report: ExperimentReport, lambda: number): string {
  const jei = report.jei.find((j) => j.lambda === lambda) ?? report.jei[0];
  const maxProb = report.baselines.find((b) => b.gate === 'max-prob')?.outcome;
  const alphas = jei?.outcome.conformal.map((r) => r.alpha) ?? [];
  const rows = [
    `| alpha | JEI-DNN lambda ${jei?.lambda ?? '-'}: mean set size | coverage (%) | max-prob: mean set size | coverage (%) |`,
    '|---|---|---|---|---|',
  ];
  alphas.forEach((alpha, k) => {
    const a = jei!.outcome.conformal[k]!;
    const b = maxProb?.conformal[k];
    rows.push(`| ${alpha} | ${fixed(a.meanSetSize, 2)} | ${pct(a.coverage, 1)} | ${fixed(b?.meanSetSize, 2)} | ${pct(b?.coverage, 1)} |`);
  });
  return rows.join('\n');
}

/** One line: at how many lambdas JEI-DNN beat the best baseline at equal (or lower) cost. */
export function verdict(report: ExperimentReport): string {
  let wins = 0;
  let ties = 0;
  const gaps: number[] = [];
  for (const j of report.jei) {
    const best = bestMatched(j);
    if (!best) continue;
    const gap = (j.outcome.test.accuracy ?? 0) - best.accuracy;
    gaps.push(gap);
    if (gap > 1e-9) wins++;
    else if (Math.abs(gap) <= 1e-9) ties++;
  }
  const mean = gaps.length ? (100 * gaps.reduce((a, b) => a + b, 0)) / gaps.length : 0;
  const ownGaps = report.jei.flatMap((j) => {
    const own = j.matched.find((m) => m.gate === OWN_HEADS)?.test;
    return own ? [(j.outcome.test.accuracy ?? 0) - own.accuracy] : [];
  });
  const ownWins = ownGaps.filter((g) => g > 1e-9).length;
  const ownMean = ownGaps.length ? (100 * ownGaps.reduce((a, b) => a + b, 0)) / ownGaps.length : 0;
  return (
    `${report.dataset}: JEI-DNN beat the best baseline (warm-up heads) at equal validation cost for ${wins} of ${gaps.length} lambdas (${ties} ties); mean gap ${mean.toFixed(2)} points of test accuracy. ` +
    `Against max-prob thresholds on JEI-DNN's own heads it was ahead for ${ownWins} of ${ownGaps.length} lambdas; mean gap ${ownMean.toFixed(2)} points.`
  );
}

/** All tables of one data set as Markdown. */
export function datasetMarkdown(report: ExperimentReport, conformalLambda: number): string {
  return [
    `### ${report.dataset}`,
    '',
    `${report.note}; split ${report.sizes.train} / ${report.sizes.validation} / ${report.sizes.test}, seed ${report.seed}. ` +
      `Warm-up test accuracy per exit: ${report.warmup.testExitAccuracy.map((a) => pct(a)).join(' / ')} %. ` +
      `MACs per stage ${report.macs.stageMacs.join(' / ')}, per head ${report.macs.headMacs.join(' / ')}.`,
    '',
    policyTable(report),
    '',
    'Equal cost (each baseline threshold chosen on validation as the most accurate point costing at most what JEI-DNN cost on validation):',
    '',
    equalCostTable(report),
    '',
    conformalTable(report, conformalLambda),
    '',
    verdict(report),
  ].join('\n');
}

import type { ExitSummary } from '@offramp/core';
import type { ConformalSetsReport } from './conformal-sets.js';
import type { GateReport } from './evaluate-gate.js';
import type { ExitCalibration } from './exit-calibration.js';
import type { RiskControlledReport } from './risk-controlled.js';

export interface DigitsReport {
  readonly data: { readonly train: number; readonly validation: number; readonly test: number; readonly seed: number };
  readonly training: { readonly backboneFromCache: boolean; readonly backboneLosses: number[]; readonly headLosses: number[] };
  readonly macs: {
    readonly stageMacs: readonly number[];
    readonly headMacs: readonly number[];
    readonly backboneMacs: number;
  };
  readonly exitAccuracy: { readonly validation: readonly number[]; readonly test: readonly number[] };
  readonly maxDrop: number;
  readonly fullModel: { readonly accuracy: number; readonly meanCost: number; readonly meanMacs: number };
  readonly oracle: ExitSummary;
  readonly gates: readonly GateReport[];
  /** Every gate's risk-controlled thresholds (shared and per exit), certified on validation. */
  readonly riskControlled: readonly RiskControlledReport[];
  /** Per exit: ECE, temperature scaling and reliability diagrams on the test set. */
  readonly calibration: readonly ExitCalibration[];
  /** Per-exit conformal sets at the max-prob operating point (null when it has none). */
  readonly conformal: ConformalSetsReport | null;
  /** network.json read back, its policy resolved and run: samples whose exit and prediction match the trace. */
  readonly configRoundTrip: { readonly agreed: number; readonly samples: number };
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : (100 * v).toFixed(2));
const fixed = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '-' : v.toFixed(digits));
const thousands = (v: number | null | undefined) => (v === null || v === undefined ? '-' : (v / 1000).toFixed(1));

/** A Markdown table of the test-set results: full model, oracle, then every gate at its chosen threshold. */
export function resultsTable(report: DigitsReport): string {
  const header = [
    '| policy | threshold | test acc. (%) | vs full (points) | mean kMACs | cost (full = 1) | cost vs backbone | exits per exit | runner = trace |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const full = report.fullModel;
  const rows = [
    `| full model (last exit) | - | ${pct(full.accuracy)} | 0.00 | ${thousands(full.meanMacs)} | ${fixed(full.meanCost)} | ${fixed(full.meanMacs / report.macs.backboneMacs)} | - | - |`,
    `| oracle | - | ${pct(report.oracle.accuracy)} | ${((100 * ((report.oracle.accuracy ?? 0) - full.accuracy))).toFixed(2)} | ${thousands(report.oracle.meanMacs)} | ${fixed(report.oracle.meanCost)} | ${fixed(report.oracle.meanCostVsBackbone)} | ${report.oracle.exitCounts.join(' / ')} | - |`,
  ];
  const riskRows = report.riskControlled.filter((r) => r.gate === 'max-prob').map((r) => riskRow(r, full.accuracy, `${r.gate}, risk-controlled (${r.mode})`));
  for (const g of report.gates) {
    const t = g.test;
    const agreement = g.runnerAgreement ? `${g.runnerAgreement.agreed}/${g.runnerAgreement.samples}` : '-';
    rows.push(
      t
        ? `| ${g.gate} | ${fixed(g.threshold, 4)} | ${pct(t.accuracy)} | ${(100 * ((t.accuracy ?? 0) - full.accuracy)).toFixed(2)} | ${thousands(t.meanMacs)} | ${fixed(t.meanCost)} | ${fixed(t.meanCostVsBackbone)} | ${t.exitCounts.join(' / ')} | ${agreement} |`
        : `| ${g.gate} | none within ${100 * report.maxDrop} points on validation | - | - | - | - | - | - | - |`,
    );
  }
  return [...header, ...rows, ...riskRows].join('\n');
}

const thresholdText = (t: readonly number[] | null) => (t ? (t.every((v) => v === t[0]) ? fixed(t[0], 4) : t.map((v) => fixed(v, 4)).join(' / ')) : 'none certified');

function riskRow(r: RiskControlledReport, fullAccuracy: number, policy: string): string {
  const t = r.test;
  const agreement = r.runnerAgreement ? `${r.runnerAgreement.agreed}/${r.runnerAgreement.samples}` : '-';
  return `| ${policy} | ${thresholdText(r.thresholds)} | ${pct(t.accuracy)} | ${(100 * ((t.accuracy ?? 0) - fullAccuracy)).toFixed(2)} | ${thousands(t.meanMacs)} | ${fixed(t.meanCost)} | ${fixed(t.meanCostVsBackbone)} | ${t.exitCounts.join(' / ')} | ${agreement} |`;
}

/** Per exit: temperature (fitted on validation) and test-set ECE / NLL before and after scaling. */
export function calibrationTable(report: DigitsReport): string {
  const rows = report.calibration.map(
    (c) =>
      `| ${c.exit + 1} | ${pct(report.exitAccuracy.test[c.exit])} | ${fixed(c.temperature)} | ${pct(c.ece.width)} | ${pct(c.ece.mass)} | ${pct(c.eceScaled.width)} | ${pct(c.eceScaled.mass)} | ${fixed(c.nll.raw)} | ${fixed(c.nll.scaled)} |`,
  );
  return [
    '| exit | test acc. (%) | temperature | ECE width (%) | ECE mass (%) | ECE width, scaled (%) | ECE mass, scaled (%) | NLL | NLL, scaled |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** Every gate's risk-controlled thresholds on the test set, with the controlled loss measured there. */
export function riskControlTable(report: DigitsReport): string {
  const first = report.riskControlled[0];
  const setting = first ? `${first.risk} <= ${first.epsilon} with probability >= ${1 - first.delta}` : '';
  return [
    `| gate (${setting}) | mode | thresholds | validation risk | test risk | test acc. (%) | vs full (points) | cost vs backbone | exits per exit | runner = trace |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...report.riskControlled.map((r) => {
      const t = r.test;
      const agreement = r.runnerAgreement ? `${r.runnerAgreement.agreed}/${r.runnerAgreement.samples}` : '-';
      return `| ${r.gate} | ${r.mode} | ${thresholdText(r.thresholds)} | ${pct(r.validation.empiricalRisk)} | ${pct(r.testRisk)} | ${pct(t.accuracy)} | ${(100 * ((t.accuracy ?? 0) - report.fullModel.accuracy)).toFixed(2)} | ${fixed(t.meanCostVsBackbone)} | ${t.exitCounts.join(' / ')} | ${agreement} |`;
    }),
  ].join('\n');
}

/** Per-exit conformal sets on the test set: mean set size and coverage per score and alpha. */
export function conformalTable(report: DigitsReport): string {
  const c = report.conformal;
  if (!c) return 'no conformal sets (the max-prob gate has no operating point)';
  const exits = report.calibration.length;
  const perExit = (values: ReadonlyArray<number | null>) => values.map((v) => fixed(v, 3)).join(' / ');
  return [
    `| score (${c.gate} at ${fixed(c.threshold, 4)}; validation per exit ${c.calibrationCounts.map((n, l) => (c.fallback[l] ? `${n}, fallback` : `${n}`)).join(' / ')}) | alpha | mean set size | coverage (%) | set size per exit (${exits}) | coverage per exit |`,
    '|---|---|---|---|---|---|',
    ...c.results.map(
      ({ score, report: r }) =>
        `| ${score}${score === 'lac' ? '' : ' (randomised)'} | ${r.alpha} | ${fixed(r.meanSetSize)} | ${pct(r.coverage)} | ${perExit(r.perExit.map((e) => e.meanSetSize))} | ${perExit(r.perExit.map((e) => e.coverage))} |`,
    ),
  ].join('\n');
}

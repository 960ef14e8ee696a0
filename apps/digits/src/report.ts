import type { ExitSummary } from '@offramp/core';
import type { GateReport } from './evaluate-gate.js';

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
  for (const g of report.gates) {
    const t = g.test;
    const agreement = g.runnerAgreement ? `${g.runnerAgreement.agreed}/${g.runnerAgreement.samples}` : '-';
    rows.push(
      t
        ? `| ${g.gate} | ${fixed(g.threshold, 4)} | ${pct(t.accuracy)} | ${(100 * ((t.accuracy ?? 0) - full.accuracy)).toFixed(2)} | ${thousands(t.meanMacs)} | ${fixed(t.meanCost)} | ${fixed(t.meanCostVsBackbone)} | ${t.exitCounts.join(' / ')} | ${agreement} |`
        : `| ${g.gate} | none within ${100 * report.maxDrop} points on validation | - | - | - | - | - | - | - |`,
    );
  }
  return [...header, ...rows].join('\n');
}

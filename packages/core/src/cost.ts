import { ArgumentError, CountMismatchError } from './errors.js';

/** MACs per sample of every part of the network, one entry per exit. */
export interface CostModel {
  readonly stageMacs: readonly number[];
  readonly headMacs: readonly number[];
  /** MACs of the gate at each exit; the last exit has no gate, so its entry is ignored. Default 0. */
  readonly gateMacs?: readonly number[];
}

/** What a cost table counts: multiply-accumulates, or seconds per row measured on an engine. */
export type CostUnit = 'macs' | 'seconds';

/**
 * Cumulative cost of exiting at each exit (ALGORITHMS.md section 1). The fields say MACs; with
 * `unit: 'seconds'` (see timeExitCosts) they hold measured seconds per row instead.
 */
export interface ExitCosts {
  readonly unit: CostUnit;
  readonly exits: number;
  readonly stageMacs: readonly number[];
  readonly headMacs: readonly number[];
  readonly gateMacs: readonly number[];
  /** MAC_l: every stage, head and gate up to and including exit l (no gate at the last exit). */
  readonly cumulativeMacs: readonly number[];
  /** c_l = MAC_l / MAC_L: the full model with every head and gate costs 1. */
  readonly normalized: readonly number[];
  /** MACs of the plain backbone with only its final head. */
  readonly backboneMacs: number;
  /** MAC_l / backboneMacs. */
  readonly relativeToBackbone: readonly number[];
}

function checkMacs(values: readonly number[], field: string): void {
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || v < 0) {
      throw new ArgumentError({
        field: `${field}[${i}]`,
        expected: 'a finite number of MACs >= 0',
        received: String(v),
      });
    }
  });
}

export function computeExitCosts(model: CostModel, unit: CostUnit = 'macs'): ExitCosts {
  const exits = model.stageMacs.length;
  if (exits === 0) {
    throw new ArgumentError({ field: 'stageMacs', expected: 'at least one stage', received: '0 stages' });
  }
  if (model.headMacs.length !== exits) {
    throw new CountMismatchError({
      field: 'headMacs',
      expected: `${exits} entries (one per exit)`,
      received: `${model.headMacs.length}`,
    });
  }
  const gateMacs = model.gateMacs ? [...model.gateMacs] : new Array<number>(exits).fill(0);
  if (gateMacs.length !== exits && gateMacs.length !== exits - 1) {
    throw new CountMismatchError({
      field: 'gateMacs',
      expected: `${exits - 1} or ${exits} entries`,
      received: `${gateMacs.length}`,
    });
  }
  gateMacs.length = exits;
  gateMacs[exits - 1] = 0;
  checkMacs(model.stageMacs, 'stageMacs');
  checkMacs(model.headMacs, 'headMacs');
  checkMacs(gateMacs, 'gateMacs');

  const cumulativeMacs: number[] = [];
  let total = 0;
  for (let l = 0; l < exits; l++) {
    total += model.stageMacs[l]! + model.headMacs[l]! + gateMacs[l]!;
    cumulativeMacs.push(total);
  }
  const full = cumulativeMacs[exits - 1]!;
  const backboneMacs = model.stageMacs.reduce((a, b) => a + b, 0) + model.headMacs[exits - 1]!;
  return {
    unit,
    exits,
    stageMacs: [...model.stageMacs],
    headMacs: [...model.headMacs],
    gateMacs,
    cumulativeMacs,
    normalized: cumulativeMacs.map((m) => m / full),
    backboneMacs,
    relativeToBackbone: cumulativeMacs.map((m) => m / backboneMacs),
  };
}

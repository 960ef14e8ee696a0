import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';
import { checkSchedule } from './schedule.js';

/**
 * NoiseShift's calibration for one resolution: the sampler keeps its schedule t_0 > ... > t_K but at step k
 * conditions the denoiser on levels[k] instead of t_k.
 */
export interface NoiseTable {
  /** Image side the table was calibrated for. */
  readonly resolution: number;
  /** The sampler's levels t_0..t_K. */
  readonly schedule: readonly number[];
  /** Conditioning level for each step k = 0..K-1. */
  readonly levels: readonly number[];
}

/** The table that changes nothing: levels[k] = t_k. */
export function identityNoiseTable(resolution: number, schedule: ArrayLike<number>): NoiseTable {
  checkSchedule(schedule);
  const values = Array.from(schedule);
  return checkNoiseTable({ resolution, schedule: values, levels: values.slice(0, -1) });
}

/**
 * Checks a table (e.g. read from JSON): a whole resolution, a valid schedule, one finite level in [0, 1] per
 * step. With `expect`, the table must also be for that resolution and that schedule.
 */
export function checkNoiseTable(
  table: NoiseTable,
  expect: { resolution?: number; schedule?: ArrayLike<number> } = {},
  field = 'table',
): NoiseTable {
  if (table === null || typeof table !== 'object') {
    throw new ArgumentError({ field, expected: 'a noise table object', received: String(table) });
  }
  if (!Number.isInteger(table.resolution) || table.resolution < 1) {
    throw new ArgumentError({ field: `${field}.resolution`, expected: 'a whole number >= 1', received: String(table.resolution) });
  }
  if (!Array.isArray(table.schedule) || !Array.isArray(table.levels)) {
    throw new ArgumentError({ field: `${field}.levels`, expected: 'arrays schedule and levels', received: typeof table.levels });
  }
  checkSchedule(table.schedule, `${field}.schedule`);
  const steps = table.schedule.length - 1;
  if (table.levels.length !== steps) {
    throw new CountMismatchError({
      field: `${field}.levels.length`,
      expected: `${steps} (one level per sampler step)`,
      received: String(table.levels.length),
    });
  }
  table.levels.forEach((s, k) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > 1) {
      throw new ArgumentError({ field: `${field}.levels[${k}]`, expected: 'a level in [0, 1]', received: String(s) });
    }
  });
  if (expect.resolution !== undefined && table.resolution !== expect.resolution) {
    throw new InputShapeError({
      field: `${field}.resolution`,
      expected: `${expect.resolution} (the resolution being sampled)`,
      received: String(table.resolution),
    });
  }
  if (expect.schedule !== undefined) {
    const wanted = Array.from(expect.schedule);
    const same = wanted.length === table.schedule.length && wanted.every((t, k) => Math.abs(t - table.schedule[k]!) < 1e-6);
    if (!same) {
      throw new CountMismatchError({
        field: `${field}.schedule`,
        expected: `the sampler's schedule [${wanted.map((t) => t.toFixed(3)).join(', ')}]`,
        received: `[${table.schedule.map((t) => t.toFixed(3)).join(', ')}]`,
      });
    }
  }
  return table;
}

/** The table for `resolution` among `tables`; an InputShapeError naming the ones there are when none fits. */
export function findNoiseTable(tables: readonly NoiseTable[], resolution: number): NoiseTable {
  const found = tables.find((t) => t.resolution === resolution);
  if (!found) {
    throw new InputShapeError({
      field: 'resolution',
      expected: `one of the calibrated resolutions (${tables.map((t) => t.resolution).join(', ') || 'none'})`,
      received: String(resolution),
    });
  }
  return found;
}

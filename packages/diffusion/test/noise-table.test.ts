import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { checkNoiseTable, findNoiseTable, identityNoiseTable, type NoiseTable } from '../src/index.js';

const good: NoiseTable = { resolution: 8, schedule: [1, 0.5, 0], levels: [0.9, 0.6] };

describe('noise tables', () => {
  it('the identity table conditions each step on its scheduled level', () => {
    expect(identityNoiseTable(8, [1, 0.5, 0])).toEqual({ resolution: 8, schedule: [1, 0.5, 0], levels: [1, 0.5] });
  });
  it('rejects a table with the wrong number of levels or a level outside [0, 1]', () => {
    expect(() => checkNoiseTable({ ...good, levels: [0.9] })).toThrow(CountMismatchError);
    expect(() => checkNoiseTable({ ...good, levels: [0.9] })).toThrow(/table.levels.length: expected 2/);
    expect(() => checkNoiseTable({ ...good, levels: [0.9, 1.2] })).toThrow(/table.levels\[1\]/);
    expect(() => checkNoiseTable({ ...good, resolution: 0 })).toThrow(ArgumentError);
  });
  it('rejects a table for another resolution or schedule', () => {
    expect(() => checkNoiseTable(good, { resolution: 16 })).toThrow(InputShapeError);
    expect(() => checkNoiseTable(good, { schedule: [1, 0.4, 0] })).toThrow(/table.schedule/);
    expect(checkNoiseTable(good, { resolution: 8, schedule: [1, 0.5, 0] })).toBe(good);
  });
  it('finds the table of a resolution', () => {
    expect(findNoiseTable([good], 8)).toBe(good);
    expect(() => findNoiseTable([good], 16)).toThrow(/one of the calibrated resolutions \(8\)/);
  });
});

import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { checkSchedule, flowSchedule } from '../src/index.js';

describe('flowSchedule', () => {
  it('is uniform from 1 to 0', () => {
    expect(Array.from(flowSchedule(4))).toEqual([1, 0.75, 0.5, 0.25, 0]);
  });
  it('warps with a shift: t = 0.5, shift 3 -> 1.5 / 2 = 0.75; t = 0.25 -> 0.75 / 1.5 = 0.5', () => {
    const s = flowSchedule(4, 3);
    expect(s[0]).toBeCloseTo(1, 6);
    expect(s[1]).toBeCloseTo(2.25 / 2.5, 6);
    expect(s[2]).toBeCloseTo(0.75, 6);
    expect(s[3]).toBeCloseTo(0.5, 6);
    expect(s[4]).toBe(0);
  });
  it('rejects bad steps and shifts', () => {
    expect(() => flowSchedule(0)).toThrow(ArgumentError);
    expect(() => flowSchedule(2.5)).toThrow(ArgumentError);
    expect(() => flowSchedule(4, 0)).toThrow(ArgumentError);
  });
});

describe('checkSchedule', () => {
  it('accepts decreasing levels in [0, 1] and names the bad one', () => {
    expect(() => checkSchedule([1, 0.5, 0])).not.toThrow();
    expect(() => checkSchedule([1])).toThrow(/schedule.length/);
    expect(() => checkSchedule([1, 0.5, 0.5])).toThrow(/schedule\[2\]/);
    expect(() => checkSchedule([1.5, 0])).toThrow(/schedule\[0\]/);
  });
});

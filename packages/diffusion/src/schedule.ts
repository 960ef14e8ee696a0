import { ArgumentError, checkWholeNumber } from '@offramp/core';

/**
 * The noise levels of a rectified-flow sampler with `steps` Euler steps, from pure noise to data:
 * t_k = 1 - k / steps for k = 0..steps (steps + 1 values, t_0 = 1, t_steps = 0). With `shift` != 1 the levels
 * are warped as t' = shift * t / (1 + (shift - 1) * t) (the resolution shift of SD3; 1 leaves them uniform).
 */
export function flowSchedule(steps: number, shift = 1): Float32Array {
  checkWholeNumber(steps, 1, 'steps');
  if (!Number.isFinite(shift) || shift <= 0) {
    throw new ArgumentError({ field: 'shift', expected: 'a positive number', received: String(shift) });
  }
  return Float32Array.from({ length: steps + 1 }, (_, k) => {
    const t = 1 - k / steps;
    return (shift * t) / (1 + (shift - 1) * t);
  });
}

/** Checks a schedule: at least two finite levels in [0, 1], strictly decreasing. */
export function checkSchedule(schedule: ArrayLike<number>, field = 'schedule'): void {
  if (schedule.length < 2) {
    throw new ArgumentError({ field: `${field}.length`, expected: 'at least 2 levels', received: String(schedule.length) });
  }
  for (let k = 0; k < schedule.length; k++) {
    const t = schedule[k]!;
    if (!Number.isFinite(t) || t < 0 || t > 1) {
      throw new ArgumentError({ field: `${field}[${k}]`, expected: 'a level in [0, 1]', received: String(t) });
    }
    if (k > 0 && t >= schedule[k - 1]!) {
      throw new ArgumentError({ field: `${field}[${k}]`, expected: `less than ${schedule[k - 1]} (decreasing levels)`, received: String(t) });
    }
  }
}

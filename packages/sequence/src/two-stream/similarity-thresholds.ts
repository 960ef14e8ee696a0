import type { Gate } from '@offramp/core';

/**
 * Similarity thresholds as MuE writes them (`streamThresholds`, `decoderThresholdSchedule` of @offramp/gates: a
 * finite number >= -1, where one above 1 never exits) in core's terms: a threshold above the gate's score range is
 * never reached, so that exit is closed (+Infinity). Every other value is passed on as it is, for
 * `createExitPolicy` to check.
 */
export function similarityThresholds(gate: Gate, thresholds: number | ArrayLike<number>): number | number[] {
  const close = (t: number): number => (t > gate.range.max ? Number.POSITIVE_INFINITY : t);
  return typeof thresholds === 'number' ? close(thresholds) : Array.from(thresholds, close);
}

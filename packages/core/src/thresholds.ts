import { CountMismatchError, ThresholdRangeError } from './errors.js';
import type { Gate } from './gate.js';

/**
 * One threshold per gated exit (exits - 1 of them; the last exit always exits). A single number is
 * used at every gated exit. Each must lie in the gate's score range, or be +Infinity: that exit is
 * closed (no row leaves there), as an online adapter sets when no threshold can be certified.
 */
export function resolveThresholds(
  gate: Gate,
  thresholds: number | ArrayLike<number>,
  exits: number,
  field = 'thresholds',
): Float64Array {
  const gated = exits - 1;
  const list = typeof thresholds === 'number' ? new Array<number>(gated).fill(thresholds) : Array.from(thresholds);
  if (list.length !== gated) {
    throw new CountMismatchError({
      field,
      expected: `${gated} thresholds (one per exit before the last)`,
      received: `${list.length}`,
    });
  }
  const out = new Float64Array(gated);
  list.forEach((t, i) => {
    if (!(typeof t === 'number' && ((t >= gate.range.min && t <= gate.range.max) || t === Number.POSITIVE_INFINITY))) {
      throw new ThresholdRangeError({
        field: typeof thresholds === 'number' ? field : `${field}[${i}]`,
        expected: `a number in [${gate.range.min}, ${gate.range.max}] for gate ${JSON.stringify(gate.name)} (or +Infinity: exit closed)`,
        received: String(t),
      });
    }
    out[i] = t;
  });
  return out;
}

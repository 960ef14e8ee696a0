import { InvalidArgumentError } from 'commander';

/** A command-line value parser: the text in, the value out, or an OptionValueError. */
export type OptionParser<T> = (value: string) => T;

/**
 * A bad option value, naming what was expected and what came. It is commander's InvalidArgumentError,
 * so commander prints `option '--epochs <n>' argument '0' is invalid. expected ..., received 0`.
 */
export class OptionValueError extends InvalidArgumentError {
  readonly expected: string;
  readonly received: string;

  constructor(expected: string, received: string) {
    super(`expected ${expected}, received ${received}`);
    this.expected = expected;
    this.received = received;
  }
}

/** Whole numbers >= `min` (and <= `max` when it is finite). */
export function wholeNumber(min = 0, max = Number.POSITIVE_INFINITY): OptionParser<number> {
  const expected = Number.isFinite(max) ? `a whole number in [${min}, ${max}]` : `a whole number >= ${min}`;
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new OptionValueError(expected, value);
    return n;
  };
}

/** Whole numbers >= 1 (epochs, seeds, counts). */
export const positiveInt: OptionParser<number> = wholeNumber(1);

/** Finite numbers within [min, max], or (min, max) when `open`. */
export function numberIn(min: number, max: number, options: { open?: boolean } = {}): OptionParser<number> {
  const open = options.open ?? false;
  const range = open ? `(${min}, ${max})` : `[${min}, ${max}]`;
  return (value) => {
    const n = Number(value);
    const inside = open ? n > min && n < max : n >= min && n <= max;
    if (value.trim() === '' || !Number.isFinite(n) || !inside) throw new OptionValueError(`a number in ${range}`, value);
    return n;
  };
}

/** Finite numbers >= `min`. */
export function numberAtLeast(min: number): OptionParser<number> {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min) throw new OptionValueError(`a number >= ${min}`, value);
    return n;
  };
}

/** One of the listed names. */
export function oneOf<const T extends string>(choices: readonly T[]): OptionParser<T> {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new OptionValueError(`one of ${choices.join(', ')}`, value);
    return value as T;
  };
}

/** A comma-separated list, each item parsed by `parse` (at least one item). */
export function listOf<T>(parse: OptionParser<T>): OptionParser<T[]> {
  return (value) => {
    const items = value.split(',').map((v) => v.trim());
    if (items.some((v) => v === '')) throw new OptionValueError('a comma-separated list', value);
    return items.map(parse);
  };
}

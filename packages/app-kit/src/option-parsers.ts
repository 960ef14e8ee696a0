import { InvalidArgumentError } from 'commander';

/** A command-line value parser: the text in, the value out, or commander's InvalidArgumentError. */
export type OptionParser<T> = (value: string) => T;

/** Whole numbers >= `min`. */
export function wholeNumber(min = 0): OptionParser<number> {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected a whole number >= ${min}, received ${value}`);
    }
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
    if (value.trim() === '' || !Number.isFinite(n) || !inside) {
      throw new InvalidArgumentError(`expected a number in ${range}, received ${value}`);
    }
    return n;
  };
}

/** Finite numbers >= `min`. */
export function numberAtLeast(min: number): OptionParser<number> {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min) {
      throw new InvalidArgumentError(`expected a number >= ${min}, received ${value}`);
    }
    return n;
  };
}

/** One of the listed names. */
export function oneOf<const T extends string>(choices: readonly T[]): OptionParser<T> {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, received ${value}`);
    }
    return value as T;
  };
}

/** A comma-separated list, each item parsed by `parse` (at least one item). */
export function listOf<T>(parse: OptionParser<T>): OptionParser<T[]> {
  return (value) => {
    const items = value.split(',').map((v) => v.trim());
    if (items.some((v) => v === '')) throw new InvalidArgumentError(`expected a comma-separated list, received ${value}`);
    return items.map(parse);
  };
}

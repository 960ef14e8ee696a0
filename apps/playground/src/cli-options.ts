import { InvalidArgumentError } from 'commander';

/** A commander option parser for whole numbers >= 1. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number >= 1, received ${value}`);
  return n;
}

import { ArgumentError } from '@offramp/core';

/** A whole number >= `min` from the command line, or an ArgumentError naming the option. */
export function wholeNumberOption(text: string, min: number, field: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new ArgumentError({ field, expected: `a whole number >= ${min}`, received: JSON.stringify(text) });
  }
  return n;
}

/** A number strictly between 0 and 1, or an ArgumentError naming the option. */
export function openUnitOption(text: string, field: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new ArgumentError({ field, expected: 'a number in (0, 1)', received: JSON.stringify(text) });
  }
  return n;
}

/** One of `choices`, or an ArgumentError naming the option. */
export function choiceOption<const T extends string>(text: string, choices: readonly T[], field: string): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new ArgumentError({ field, expected: `one of ${choices.join(', ')}`, received: JSON.stringify(text) });
  }
  return text as T;
}

/** Whole numbers >= `min` separated by commas, or an ArgumentError naming the option and the item. */
export function wholeNumberListOption(text: string, min: number, field: string): number[] {
  return text.split(',').map((item, i) => wholeNumberOption(item, min, `${field}[${i}]`));
}

/** A number in [0, 1), or an ArgumentError naming the option. */
export function fractionOption(text: string, field: string): number {
  return text.trim() !== '' && Number(text) === 0 ? 0 : openUnitOption(text, field);
}

/** A finite number >= 0, or an ArgumentError naming the option. */
export function nonNegativeOption(text: string, field: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new ArgumentError({ field, expected: 'a finite number >= 0', received: JSON.stringify(text) });
  }
  return n;
}

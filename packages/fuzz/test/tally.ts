import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfframpError } from '@offramp/core';
import { expect } from 'vitest';

/** The fixed seed of every fuzz run: the same cases on every machine. */
export const SEED = 20261203;

/** How a reader met its fuzzed inputs: accepted, refused with a typed error (by code), or failed otherwise. */
export class Tally {
  readonly reader: string;
  cases = 0;
  accepted = 0;
  typed = 0;
  readonly codes: Record<string, number> = {};
  readonly untyped: string[] = [];

  constructor(reader: string) {
    this.reader = reader;
  }

  /** Counts one case: `run` returned (accepted) or threw (typed if an OfframpError). Returns what it returned. */
  async record<T>(run: () => T | Promise<T>): Promise<T | undefined> {
    this.cases++;
    try {
      const value = await run();
      this.accepted++;
      return value;
    } catch (error) {
      if (error instanceof OfframpError) {
        this.typed++;
        this.codes[error.code] = (this.codes[error.code] ?? 0) + 1;
      } else {
        this.untyped.push(error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error));
      }
      return undefined;
    }
  }

  /** Every case accepted or a typed error, and the counts written to results/<reader>.json and printed. */
  finish(extra: Record<string, unknown> = {}): void {
    const summary = {
      reader: this.reader,
      seed: SEED,
      cases: this.cases,
      typedErrors: this.typed,
      accepted: this.accepted,
      untypedErrors: this.untyped.length,
      codes: this.codes,
      ...extra,
    };
    const dir = join(import.meta.dirname, '..', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${this.reader}.json`), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`fuzz ${this.reader}: ${this.cases} cases, ${this.typed} typed errors, ${this.accepted} accepted, ${this.untyped.length} untyped`);
    expect(this.untyped.slice(0, 5)).toEqual([]);
  }
}

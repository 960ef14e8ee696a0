import { OfframpError } from '@offramp/core';
import { CommanderError } from 'commander';

/** Exit code of a run: 0 done, 2 bad input (a typed error or a bad command line), 1 anything else. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export function exitCodeOf(error: unknown): number {
  if (error instanceof OfframpError) return EXIT_BAD_INPUT;
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  return EXIT_FAILED;
}

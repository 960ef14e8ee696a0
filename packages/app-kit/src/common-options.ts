import { join } from 'node:path';
import type { Command } from 'commander';
import { wholeNumber } from './option-parsers.js';

/** The options most apps take, by the names commander gives their values. */
export interface CommonOptionValues {
  /** `--seed <n>` */
  readonly seed: number;
  /** `--cache-dir <dir>`, by default the app's `.cache/` */
  readonly cacheDir: string;
  /** `--out-dir <dir>`, by default the app's `results/` */
  readonly outDir: string;
  /** `--no-progress` turns it off */
  readonly progress: boolean;
  /** `--no-readme` turns it off */
  readonly readme: boolean;
}

/** `--seed <n>`: its help text (what it seeds), its default, and the smallest seed (1 unless given). */
export interface SeedDeclaration {
  readonly description: string;
  readonly default: number;
  readonly min?: number;
}

/** The help text of an option, or `true` for its usual one. */
export type HelpText = string | true;

/** How a command declares each common option it takes. */
export interface CommonOptionDeclarations {
  readonly seed: SeedDeclaration;
  /** The help text: what is cached there. */
  readonly cacheDir: string;
  readonly outDir: HelpText;
  readonly progress: HelpText;
  readonly readme: HelpText;
}

/**
 * The declarations of exactly the common options that `Options` holds: a command whose options
 * type has `seed` must declare `seed`, and one without it cannot.
 */
export type CommonOptionsOf<Options> = {
  readonly [K in keyof CommonOptionDeclarations as K extends keyof Options ? K : never]: K extends keyof Options
    ? Options[K] extends CommonOptionValues[K]
      ? CommonOptionDeclarations[K]
      : never
    : never;
};

const USUAL_HELP = {
  outDir: 'where results are written',
  progress: 'hide progress bars',
  readme: "do not write the results into the app's README",
} as const;

const helpText = (text: HelpText, usual: string): string => (text === true ? usual : text);

/** Adds the declared common options to `command`, in a fixed order, with defaults in `appDir`. */
export function addCommonOptions(command: Command, declared: Partial<CommonOptionDeclarations>, appDir: string): void {
  const { seed, cacheDir, outDir, progress, readme } = declared;
  if (seed) command.option('--seed <n>', seed.description, wholeNumber(seed.min ?? 1), seed.default);
  if (cacheDir !== undefined) command.option('--cache-dir <dir>', cacheDir, join(appDir, '.cache'));
  if (outDir !== undefined) command.option('--out-dir <dir>', helpText(outDir, USUAL_HELP.outDir), join(appDir, 'results'));
  if (progress !== undefined) command.option('--no-progress', helpText(progress, USUAL_HELP.progress));
  if (readme !== undefined) command.option('--no-readme', helpText(readme, USUAL_HELP.readme));
}

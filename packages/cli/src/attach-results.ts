import type { AttachedTiming } from './attached-timing.js';
import type { ExitingSummary, ExitReliability } from './operating-point.js';

/** What `offramp attach` writes to results.json (the evaluation numbers on `evaluatedOn`). */
export interface AttachResults {
  readonly model: string;
  readonly gate: string;
  readonly head: string;
  readonly risk: number;
  readonly delta: number;
  /** The data the numbers below are measured on: --test, else --val. */
  readonly evaluatedOn: string;
  readonly exits: readonly { readonly tensor: string; readonly shape: readonly number[]; readonly layout: string; readonly cumulativeMacs: number; readonly validationAccuracy: number }[];
  /** Temperature per exit, fitted on the first part of the validation set and folded into the heads (1: none). */
  readonly temperatures: readonly number[];
  /** Learn-then-Test on the rest of the validation set: its size, the thresholds (null: exit closed), the risk seen there, the p-value. */
  readonly certified: { readonly samples: number; readonly thresholds: readonly (number | null)[]; readonly validationRisk: number | null; readonly pValue: number | null };
  readonly samples: number;
  /** Every sample at the last exit (the model cut there, with its trained head). */
  readonly lastExit: ExitingSummary;
  /** The certified policy. */
  readonly earlyExit: ExitingSummary;
  /** The first exit that is right, else the last. */
  readonly oracle: ExitingSummary;
  readonly exitAccuracies: readonly number[];
  readonly reliability: readonly ExitReliability[];
  /** Measured on this machine (null when timing was skipped). */
  readonly timing: AttachedTiming | null;
  /** Seconds per step of attach. */
  readonly seconds: Readonly<Record<string, number>>;
}

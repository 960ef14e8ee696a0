/** What `offramp attach` writes to results.json. */
export interface AttachResults {
  readonly model: string;
  readonly gate: string;
  readonly head: string;
  readonly risk: number;
  readonly delta: number;
  /** 'test' when a test set was given, else 'validation'. */
  readonly evaluatedOn: 'test' | 'validation';
  readonly exits: readonly { readonly tensor: string; readonly shape: readonly number[]; readonly layout: string; readonly cumulativeMacs: number; readonly validationAccuracy: number }[];
  /** The last exit's head on every sample (the model cut at the last exit, with a trained head). */
  readonly fullModel: { readonly accuracy: number | null; readonly meanMacs: number };
  readonly operatingPoint: {
    readonly thresholds: number[] | null;
    readonly accuracy: number | null;
    readonly meanMacs: number;
    /** Mean MACs relative to the last exit's. */
    readonly macsRatio: number;
    readonly exitCounts: readonly number[];
    readonly samples: number;
    readonly validationRisk: number | null;
    readonly pValue: number | null;
  };
  /** Seconds per step of attach. */
  readonly seconds: Readonly<Record<string, number>>;
}

/** What the server answers for one sample. */
export interface Answer {
  /** Predicted class. */
  readonly prediction: number;
  /** Class probabilities at the exit taken. */
  readonly probs: readonly number[];
  /** Exit index (0-based) the answer came from; the last exit for the full model. */
  readonly exit: number;
  /** Normalised cost of that exit (running every stage, head and gate = 1). */
  readonly cost: number;
  /** MACs spent on the sample. */
  readonly macs: number;
  /** Milliseconds from admission to answer, inside the server. */
  readonly serverMs: number;
}

/**
 * The batching policies the server can run: stage-level continuous batching, per-batch early exit
 * (both run core's JS runner over the engine), dynamic batching of the policy compiled into one
 * ONNX graph (early exit inside the graph), and dynamic batching of the full model.
 */
export const POLICIES = ['continuous', 'batch-exit', 'compiled', 'full'] as const;
export type PolicyName = (typeof POLICIES)[number];

/** A scheduler takes single samples and answers each when it is done. */
export interface Scheduler {
  readonly policy: PolicyName;
  /** Queues one sample (already validated, prod(inputShape) finite values). */
  submit(input: Float32Array): Promise<Answer>;
  /** Samples admitted and not yet answered. */
  readonly depth: number;
  /** Rows waiting before each stage (one entry for the full model). */
  stageDepths(): number[];
  /** Stops waiting for fuller batches: runs everything queued, resolves when nothing is left. */
  drain(): Promise<void>;
}

/** Batching settings shared by the policies. */
export interface BatchingOptions {
  /** A stage (or the full model) runs once this many rows wait... */
  readonly maxBatch: number;
  /** ...or once its oldest row has waited this long (milliseconds). */
  readonly maxWaitMs: number;
}

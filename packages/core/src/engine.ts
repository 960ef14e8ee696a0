/**
 * Runs stages and heads on some runtime (tfjs, onnxruntime, plain JS); the runner and trace
 * collection are written once against this. `T` is the runtime's batch value (a tensor).
 * Stage l feeds exit l: there are as many stages as exits. Values passed in are never disposed
 * by the engine; the caller disposes what it got back.
 */
export interface Engine<T> {
  readonly exits: number;
  readonly classes: number;
  /** Shape of one input sample, e.g. [28, 28, 1]. */
  readonly inputShape: readonly number[];
  /** Wraps a host batch (batch x prod(inputShape), row-major) as a runtime value. */
  fromHost(data: Float32Array, batch: number): T | Promise<T>;
  runStage(stage: number, input: T): T | Promise<T>;
  /** Logits of exit `exit` for the batch, batch x classes, on the host. */
  runHead(exit: number, hidden: T): Float32Array | Promise<Float32Array>;
  /** The rows `rows` of `x`, in that order (batch compaction). */
  take(x: T, rows: Int32Array): T | Promise<T>;
  /** The values of `x` on the host, flattened per sample. */
  toHost(x: T): Float32Array | Promise<Float32Array>;
  /**
   * The rows of every part stacked in order into one value (parts come from the same stage, so
   * their per-sample shapes agree). Optional: runEarlyExitPooled needs it to pool rows of different
   * batches; runEarlyExit and collectTrace do not.
   */
  concat?(parts: readonly T[]): T | Promise<T>;
  dispose(x: T): void;
}

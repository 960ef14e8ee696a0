/**
 * A trainable block of a network on some tensor runtime: a backbone stage or an exit head.
 * `T` is the runtime's tensor type and `V` its variable type (tf.Tensor / tf.Variable in tfjs).
 */
export interface Module<T, V = unknown> {
  readonly name: string;
  /** Forward pass on a batch; the caller owns (and disposes) the result. */
  apply(x: T, training?: boolean): T;
  /** Multiply-accumulates per sample. */
  readonly macs: number;
  /** Shape of one input sample. */
  readonly inputShape: readonly number[];
  /** Shape of one output sample. */
  readonly outputShape: readonly number[];
  /** Trainable variables, each with a unique name. */
  readonly variables: readonly V[];
  dispose(): void;
}

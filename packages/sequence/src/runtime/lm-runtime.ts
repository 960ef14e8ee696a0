/**
 * A decoder-only LM with one shared exit head as the speculative and plain decoders drive it, whatever runs it
 * (tfjs: `tfjsLmRuntime`; onnxruntime: `createOnnxLmRuntime`). `H` is the runtime's handle of hidden states.
 */
export interface LmRuntime<H = unknown> {
  readonly layers: number;
  readonly vocabSize: number;
  readonly context: number;
  /** A new sequence with an empty key/value cache. */
  open(): LmSequence<H>;
}

/** What a feed returns: the hidden states after its last layer, and the head's probabilities when asked for. */
export interface Fed<H> {
  readonly hidden: H;
  /** Next-token probabilities after the last fed position (the shared exit head after layer `to` - 1). */
  readonly probs?: Float32Array;
}

/** One sequence's key/value cache on a runtime, and the passes that extend it. Layers may hold different lengths. */
export interface LmSequence<H> {
  /**
   * Feeds tokens at positions [position, position + tokens.length) through the embedding and layers [0, to),
   * appending to those layers' caches (which must hold exactly `position` positions).
   */
  feed(tokens: readonly number[], position: number, to: number, probs: boolean): Promise<Fed<H>>;
  /**
   * Continues hidden states of consecutive positions (from feeds that stopped below layer `from`) through layers
   * [from, layers) and the head, appending to those layers' caches; next-token probabilities at every position.
   */
  finish(hidden: readonly H[], from: number): Promise<Float32Array[]>;
  /** Keeps the first `length` positions of every layer's cache. */
  truncate(length: number): void;
  /** Frees a hidden-state handle a feed returned. */
  release(hidden: H): void;
  /** Every layer's cached keys and values and their length (for checks; the layout is the runtime's own). */
  snapshot(): Promise<{ keys: Float32Array; values: Float32Array; length: number }[]>;
  dispose(): void;
}

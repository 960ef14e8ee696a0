/**
 * A decoder-only LM with one shared exit head as the speculative and plain decoders drive it, whatever runs it
 * (tfjs: `tfjsLmRuntime`; onnxruntime: `createOnnxLmRuntime`). `H` is the runtime's handle of hidden states.
 */
export interface LmRuntime<H = unknown> {
  readonly layers: number;
  readonly vocabSize: number;
  readonly context: number;
  /** `rows` sequences decoded together, with an empty key/value cache. */
  openBatch(rows: number): LmBatch<H>;
}

/** Tokens fed to every row of a batch: `t` per row, row-major, row b's at positions starts[b], starts[b] + 1, ... */
export interface BatchFeed {
  readonly tokens: ArrayLike<number>;
  readonly starts: readonly number[];
  readonly t: number;
}

/** What a feed returns: the hidden states after its last layer, and the head's probabilities when asked for. */
export interface Fed<H> {
  /** Hidden states [rows, t, d] after layer `to` - 1. */
  readonly hidden: H;
  /** Next-token probabilities of the shared exit head at every fed position, rows x t, row-major. */
  readonly probs?: Float32Array[];
}

/**
 * The key/value cache of a batch of sequences on a runtime, as slots shared by all rows (a pass appends the same
 * number of slots to every row; the caller's attention mask says which slots each row may see), and the passes
 * that extend it. Layers may hold different numbers of slots; the layers of one pass hold the same number.
 */
export interface LmBatch<H> {
  readonly rows: number;
  /** Slots layer l holds. */
  slotsAt(layer: number): number;
  /**
   * Feeds tokens through the embedding and layers [0, to), each new position attending where the additive `mask`
   * [rows, 1, t, slots + t] is 0; appends t slots to those layers.
   */
  feed(feed: BatchFeed, to: number, mask: Float32Array, probs: boolean): Promise<Fed<H>>;
  /**
   * Continues the hidden states of consecutive feeds (which stopped below layer `from`) through layers
   * [from, layers) and the head, under `mask` [rows, 1, T, slots + T]; probabilities at every position, rows x T.
   */
  finish(hidden: readonly H[], from: number, mask: Float32Array): Promise<Float32Array[]>;
  /** Keeps the first `slots` slots of every layer. */
  truncate(slots: number): void;
  /** Frees a hidden-state handle a feed returned. */
  release(hidden: H): void;
  /** Every layer's cached keys and values and their slot count (for checks; the layout is the runtime's own). */
  snapshot(): Promise<{ keys: Float32Array; values: Float32Array; length: number }[]>;
  dispose(): void;
}

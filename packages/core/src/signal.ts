/**
 * What a gate may ask the runner to compute beyond logits and probabilities, which every gate gets.
 * - `hidden`: the stage's output features, flattened per sample.
 * - `similarity`: cos(h_l, h_{l-1}) per sample, with h_0 the network input.
 * - `history`: the logits and probabilities of the same samples at every earlier exit.
 */
export type GateNeed = 'hidden' | 'similarity' | 'history';

/** Outputs of one earlier exit for the samples that reached the current one (row-aligned). */
export interface ExitRecord {
  readonly exit: number;
  readonly logits: Float32Array;
  readonly probs: Float32Array;
}

/**
 * Host-side view of one exit for the samples that reached it. Arrays are row-major:
 * `logits` and `probs` are batch x classes. Exits are numbered from 0; the last exit is `exits - 1`.
 */
export interface ExitSignal {
  readonly exit: number;
  readonly exits: number;
  readonly batch: number;
  readonly classes: number;
  readonly logits: Float32Array;
  readonly probs: Float32Array;
  /** Normalised cumulative cost of exiting here (1 = full model with every head and gate). */
  readonly cost: number;
  readonly hidden?: Float32Array;
  readonly hiddenSize?: number;
  readonly similarity?: Float32Array;
  readonly history?: readonly ExitRecord[];
}

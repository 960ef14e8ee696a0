/**
 * The graph form of a gate: a gate plugin may describe its score as ONNX operators, so that an
 * exported network can run early exit as one graph (the gate, the threshold test and the rest of the
 * network in a single model). Core knows only this small graph-building interface; a graph library
 * (e.g. `@offramp/onnx`'s GraphBuilder) implements it.
 */

/** Element types a gate's graph can create or cast to. */
export type GateTensorType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

/** A node attribute, tagged with its ONNX kind (ints and floats are different attribute types). */
export type GateAttribute =
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly string: string };

/** What a gate's graph form can add to the graph being built. Every method returns tensor names. */
export interface GateGraph {
  /** A fresh, unused tensor name starting with `base`. */
  fresh(base: string): string;
  /** Adds a node of the ONNX operator `op` (default domain) and returns its single output. */
  node(op: string, inputs: readonly string[], attributes?: Readonly<Record<string, GateAttribute>>): string;
  /** Adds a node with `count` outputs (e.g. TopK: values, indices) and returns them in order. */
  nodeOutputs(
    op: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, GateAttribute>>,
    count: number,
  ): string[];
  /** A constant tensor: a scalar for a number, a vector for an array, unless `shape` says otherwise. */
  constant(values: number | readonly number[], type: GateTensorType, shape?: readonly number[]): string;
  /** `x` converted to `type` (an ONNX Cast). */
  cast(x: string, type: GateTensorType): string;
}

/**
 * The tensors a gate's graph form reads at one exit, for the n rows that reached it (n may be any
 * number >= 1; rows never mix). The exit index and sizes are plain numbers: the graph of every exit
 * is built separately.
 */
export interface GateGraphInputs {
  readonly exit: number;
  readonly exits: number;
  readonly classes: number;
  /** float32 [n, classes]: the head's logits. */
  readonly logits: string;
  /** float32 [n, classes]: softmax of the logits, computed in float64 and rounded, as the runner does. */
  readonly probs: string;
  /**
   * float32 [n, hiddenSize]: the stage's features flattened channels-last (as `toHost` gives them), for
   * gates that need `hidden` or `similarity` (no cosine is given: such a gate keeps what it compares with
   * in its `state`).
   */
  readonly hidden?: string;
  readonly hiddenSize?: number;
  /**
   * The `state` this gate returned at the previous exit, cut down to the rows that went on (same
   * order). Absent at exit 0. This is how a gate carries per-row history (e.g. an agreement streak).
   */
  readonly state?: string;
}

/** What a gate's graph form returns at one exit. */
export interface GateGraphOutputs {
  /**
   * float32 [n]: the score, equal to what the gate's `score` writes into its Float32Array. Required at
   * every exit before the last; at the last exit (where every row leaves) it may be left out.
   */
  readonly score?: string;
  /** Any tensor with one row per sample ([n, ...]) to hand to the next exit as `inputs.state`. */
  readonly state?: string;
}

/** Builds the gate's score for one exit into `graph`. */
export type GateLowering = (graph: GateGraph, inputs: GateGraphInputs) => GateGraphOutputs;

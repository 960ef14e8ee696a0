import { type ExitPolicy, type Gate, softmaxRows } from '@offramp/core';
import { CompiledEarlyExit, compileEarlyExit, type OnnxBundle, type OrtRuntime } from '@offramp/onnx/compile';

/** What the compiled graph answered for one input. */
export interface CompiledAnswer {
  readonly exit: number;
  readonly prediction: number;
  /** The top probability at the exit taken (softmax of the graph's logits). */
  readonly confidence: number;
  /** Whether this run compiled the graph first (the gate or a threshold changed since the last run). */
  readonly compiled: boolean;
  /** Wall time of compiling and opening its session (0 when the graph was reused), in milliseconds. */
  readonly compileMilliseconds: number;
  /** Wall time of the one session call, in milliseconds. */
  readonly milliseconds: number;
}

interface Current {
  readonly gate: Gate;
  readonly thresholds: Float64Array;
  readonly runner: CompiledEarlyExit;
}

const sameThresholds = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * The page's compiled path: the network, the chosen gate and its thresholds compiled into one ONNX
 * graph (compileEarlyExit of @offramp/onnx), which runs early exit in one onnxruntime-web call per
 * input. The graph is compiled again only when the gate or a threshold changes; the previous
 * session is released then. A gate without an ONNX form throws core's GateNotCompilableError.
 */
export class CompiledPath {
  readonly #runtime: OrtRuntime;
  readonly #bundle: OnnxBundle;
  #current: Current | undefined;

  constructor(runtime: OrtRuntime, bundle: OnnxBundle) {
    this.#runtime = runtime;
    this.#bundle = bundle;
  }

  async run(policy: ExitPolicy, image: Float32Array, now: () => number = () => performance.now()): Promise<CompiledAnswer> {
    const started = now();
    const compiled = !this.#current || this.#current.gate !== policy.gate || !sameThresholds(this.#current.thresholds, policy.thresholds);
    if (compiled) {
      const model = compileEarlyExit(this.#bundle, policy);
      const runner = await CompiledEarlyExit.create(this.#runtime, model);
      const previous = this.#current;
      this.#current = { gate: policy.gate, thresholds: Float64Array.from(policy.thresholds), runner };
      await previous?.runner.release();
    }
    const ran = now();
    const result = await this.#current!.runner.run(image, 1);
    const done = now();
    return {
      exit: result.exit[0]!,
      prediction: result.prediction[0]!,
      confidence: Math.max(...softmaxRows(result.logits, result.classes)),
      compiled,
      compileMilliseconds: compiled ? ran - started : 0,
      milliseconds: done - ran,
    };
  }

  async release(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    await current?.runner.release();
  }
}

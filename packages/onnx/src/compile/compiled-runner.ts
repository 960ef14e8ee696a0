import { ArgumentError, validateInput } from '@offramp/core';
import { OnnxModelError } from '../errors.js';
import { runSession } from '../run-session.js';
import type { OrtRuntime, OrtSession, OrtSessionOptions, OrtTensor } from '../runtime.js';
import type { CompiledEarlyExitModel } from './compile-early-exit.js';
import { readCompiledModel } from './read-compiled.js';

/** What one call of a compiled model returns, in input order. */
export interface CompiledResult {
  readonly batch: number;
  readonly classes: number;
  /** The exit each row took. */
  readonly exit: Int32Array;
  /** Argmax of the softmax at that exit. */
  readonly prediction: Int32Array;
  /** batch x classes logits of that exit. */
  readonly logits: Float32Array;
  /** The gate's score at that exit. */
  readonly score: Float32Array;
}

function data<T>(tensor: OrtTensor | undefined, type: new (...args: never[]) => T, field: string, expected: string): T {
  if (!tensor || !(tensor.data instanceof type)) {
    throw new OnnxModelError({ field, expected, received: tensor ? `a ${tensor.type} tensor` : 'no tensor' });
  }
  return tensor.data;
}

/** Runs a model made by `compileEarlyExit` in onnxruntime (node or web): one session call per batch. */
export class CompiledEarlyExit {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly exits: number;
  readonly #runtime: OrtRuntime;
  readonly #session: OrtSession;
  readonly #compiled: CompiledEarlyExitModel;
  #released = false;

  private constructor(runtime: OrtRuntime, session: OrtSession, compiled: CompiledEarlyExitModel) {
    this.#runtime = runtime;
    this.#session = session;
    this.#compiled = compiled;
    this.inputShape = Object.freeze([...compiled.inputShape]);
    this.classes = compiled.classes;
    this.exits = compiled.exits;
  }

  /** Opens one session on a compiled model (what compileEarlyExit returned, or its bytes). */
  static async create(
    runtime: OrtRuntime,
    model: CompiledEarlyExitModel | Uint8Array,
    sessionOptions?: OrtSessionOptions,
  ): Promise<CompiledEarlyExit> {
    const compiled = model instanceof Uint8Array ? readCompiledModel(model) : model;
    let session: OrtSession;
    try {
      session = await runtime.InferenceSession.create(compiled.model, sessionOptions);
    } catch (error) {
      throw new OnnxModelError({
        field: 'compiled.model',
        expected: 'a model onnxruntime can load',
        received: error instanceof Error ? error.message : String(error),
      });
    }
    return new CompiledEarlyExit(runtime, session, compiled);
  }

  /** Runs a batch (batch x prod(inputShape) values, row-major); the input is validated first. */
  async run(input: Float32Array, batch: number): Promise<CompiledResult> {
    if (this.#released) {
      throw new ArgumentError({ field: 'compiled', expected: 'a live session', received: 'a released one' });
    }
    validateInput(input, batch, this.inputShape);
    const { outputs } = this.#compiled;
    const feed = new this.#runtime.Tensor('float32', input, [batch, ...this.inputShape]);
    const fetches = [outputs.logits, outputs.exit, outputs.score, outputs.prediction];
    const out = await runSession(this.#session, { [this.#compiled.input]: feed }, fetches, 'compiled early exit');
    return {
      batch,
      classes: this.classes,
      exit: data(out[outputs.exit], Int32Array, outputs.exit, 'an int32 tensor'),
      prediction: data(out[outputs.prediction], Int32Array, outputs.prediction, 'an int32 tensor'),
      logits: data(out[outputs.logits], Float32Array, outputs.logits, 'a float32 tensor'),
      score: data(out[outputs.score], Float32Array, outputs.score, 'a float32 tensor'),
    };
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#session.release();
  }
}

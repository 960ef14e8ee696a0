import type { ExitPolicy } from '@offramp/core';
import type { OnnxBundle, OrtRuntime } from '@offramp/onnx/browser';
import type { CompiledAnswer, CompiledPath } from './compiled-path.js';
import type { Prediction } from './predict.js';

/** Which path answers: core's JS runner over the engine, or the policy compiled into one ONNX graph. */
export type PathName = 'js' | 'compiled';

export const PATH_NAMES: readonly PathName[] = ['js', 'compiled'];

/** What answered one input: the JS runner (chosen, or because the gate cannot be compiled), or the compiled graph. */
export type PathOutcome =
  | { readonly path: 'js'; readonly unavailable?: string }
  | { readonly path: 'compiled'; readonly answer: CompiledAnswer; readonly agrees: boolean };

/** Prediction, exit and confidence of the path that answered. */
export interface Shown {
  readonly prediction: number;
  readonly exit: number;
  readonly confidence: number;
}

/**
 * The two answer paths of the page. The JS runner's answer (runEarlyExit) is always computed, for the
 * per-exit table; the compiled path runs as well when chosen, and its code (the compiler with
 * onnx-proto and protobufjs) is a chunk of its own, fetched the first time it is chosen.
 */
export class AnswerPaths {
  readonly #runtime: OrtRuntime;
  readonly #bundle: OnnxBundle;
  #compiled: Promise<CompiledPath> | undefined;

  constructor(runtime: OrtRuntime, bundle: OnnxBundle) {
    this.#runtime = runtime;
    this.#bundle = bundle;
  }

  /** Runs the chosen path on `image`; `js` is the JS runner's answer for the same policy and image. */
  async answer(path: PathName, policy: ExitPolicy, image: Float32Array, js: Prediction): Promise<PathOutcome> {
    if (path === 'js') return { path };
    if (!policy.gate.onnx) {
      return { path: 'js', unavailable: `${policy.gate.name} has no ONNX form (the onnx field of defineGate), so it cannot be compiled` };
    }
    this.#compiled ??= import('./compiled-path.js').then(({ CompiledPath }) => new CompiledPath(this.#runtime, this.#bundle));
    const answer = await (await this.#compiled).run(policy, image);
    return { path, answer, agrees: answer.exit === js.exit && answer.prediction === js.prediction };
  }
}

/** What the page shows as the answer: the compiled graph's when it answered, else the JS runner's. */
export function shownAnswer(outcome: PathOutcome, js: Prediction): Shown {
  return outcome.path === 'compiled' ? outcome.answer : js;
}

/** One line on which path answered and whether the two agree, and the data attributes saying the same. */
export function describeOutcome(outcome: PathOutcome, js: Prediction): { text: string; data: Record<string, string> } {
  const jsData = { jsExit: String(js.exit), jsPrediction: String(js.prediction) };
  if (outcome.path === 'js') {
    return {
      text: outcome.unavailable
        ? `Answered by the JS runner (runEarlyExit): the compiled graph is not available, ${outcome.unavailable}.`
        : `Answered by the JS runner (runEarlyExit: one onnxruntime call per stage and head reached, the gate in JavaScript), ${js.milliseconds.toFixed(1)} ms.`,
      data: { path: 'js', compiled: outcome.unavailable ? 'unavailable' : 'off', ...jsData },
    };
  }
  const { answer, agrees } = outcome;
  const compiling = answer.compiled ? `; compiled for this gate and threshold in ${answer.compileMilliseconds.toFixed(1)} ms` : '';
  return {
    text:
      `Answered by the compiled graph (compileEarlyExit: early exit inside one ONNX model, one onnxruntime call), ` +
      `${answer.milliseconds.toFixed(1)} ms${compiling}. ` +
      (agrees
        ? `The JS runner agrees: exit ${js.exit + 1}, prediction ${js.prediction}.`
        : `The JS runner DISAGREES: exit ${js.exit + 1}, prediction ${js.prediction}.`),
    data: {
      path: 'compiled',
      compiled: answer.compiled ? 'compiled' : 'reused',
      pathsAgree: String(agrees),
      compiledMilliseconds: String(answer.milliseconds),
      ...jsData,
    },
  };
}

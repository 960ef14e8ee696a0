import {
  defineGate,
  type ExitCosts,
  type Gate,
  type GateContext,
  type GatePlugin,
  OfframpError,
  scoreTrace,
  type Trace,
  validateGateOptions,
} from '@offramp/core';
import { entropy, maxProb, normalizedEntropy, topTwoMargin } from '@offramp/gates';
import { CustomGateError } from '../errors.js';

/** What pasted code can use by name, besides plain JavaScript. */
const HELPERS = { defineGate, maxProb, topTwoMargin, entropy, normalizedEntropy } as const;
const HELPER_NAMES = Object.keys(HELPERS);

export const CUSTOM_GATE_FORMS =
  'a defineGate({...}) call, the object inside one, or a function score(signal) returning one score in [0, 1] per sample';

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Any error thrown while compiling or running pasted code, as a CustomGateError (offramp's own keep their details). */
function asCustomGateError(error: unknown, field: string, expected: string): CustomGateError {
  if (error instanceof CustomGateError) return error;
  if (error instanceof OfframpError) {
    return new CustomGateError({ field: error.field, expected: error.expected, received: error.received });
  }
  return new CustomGateError({ field, expected, received: message(error) });
}

function compile(body: string): ((...helpers: unknown[]) => unknown) | SyntaxError {
  try {
    return new Function(...HELPER_NAMES, `"use strict";\n${body}`) as (...helpers: unknown[]) => unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return error;
    throw error;
  }
}

function isPlugin(value: unknown): value is GatePlugin<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as GatePlugin).create === 'function' && typeof (value as GatePlugin).name === 'string';
}

/** A bare score function as a plugin: scores in [0, 1], default threshold 0.5. */
function scoreFunctionPlugin(score: (signal: never) => unknown): GatePlugin<unknown> {
  const name = score.name && /^[a-z][a-z0-9-]*$/.test(score.name) && score.name !== 'score' ? score.name : 'custom-score';
  return defineGate<unknown>({
    name,
    description: 'A pasted score function.',
    range: { min: 0, max: 1 },
    defaultThreshold: 0.5,
    score: () => (signal) => {
      const scores = score(signal as never);
      if (scores instanceof Float32Array) return scores;
      if (Array.isArray(scores) || ArrayBuffer.isView(scores)) return Float32Array.from(scores as ArrayLike<number>);
      throw new CustomGateError({
        field: 'score(signal)',
        expected: `an array of ${signal.batch} numbers`,
        received: scores === null ? 'null' : typeof scores,
      });
    },
  });
}

/**
 * Compiles pasted JavaScript into a gate plugin. The code runs with `defineGate` and the feature
 * helpers of @offramp/gates (`maxProb`, `topTwoMargin`, `entropy`, `normalizedEntropy`) in scope.
 * Every failure is a CustomGateError naming what was wrong.
 */
export function compileGate(source: string): GatePlugin<unknown> {
  const text = source.trim();
  if (text === '') {
    throw new CustomGateError({ field: 'source', expected: CUSTOM_GATE_FORMS, received: 'empty text' });
  }
  // An expression (a call, an object, an arrow function) first, then statements declaring `score`.
  const asExpression = compile(`return (\n${text.replace(/;\s*$/, '')}\n);`);
  const asStatements = compile(`${text}\n;return typeof score === 'function' ? score : undefined;`);
  const run = typeof asExpression === 'function' ? asExpression : asStatements;
  if (!(typeof run === 'function')) {
    const error = /function\s+score\b/.test(text) ? asStatements : asExpression;
    throw new CustomGateError({ field: 'source', expected: 'valid JavaScript', received: message(error) });
  }
  let value: unknown;
  try {
    value = run(...Object.values(HELPERS));
  } catch (error) {
    throw asCustomGateError(error, 'source', 'code that runs without throwing');
  }
  if (isPlugin(value)) return value;
  if (typeof value === 'function') return scoreFunctionPlugin(value as (signal: never) => unknown);
  if (typeof value === 'object' && value !== null && typeof (value as { score?: unknown }).score === 'function') {
    try {
      return defineGate(value as Parameters<typeof defineGate<unknown>>[0]);
    } catch (error) {
      throw asCustomGateError(error, 'definition', 'a gate definition defineGate accepts');
    }
  }
  throw new CustomGateError({
    field: 'source',
    expected: CUSTOM_GATE_FORMS,
    received: value === null ? 'null' : typeof value === 'object' ? 'an object without a score function' : typeof value,
  });
}

function finite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new CustomGateError({ field, expected: 'a finite number', received: String(value) });
}

/**
 * Makes the plugin's gate (default options) for the network and checks it like a gate must behave
 * on the trace: a finite range, a default threshold in it, no need for hidden states (the trace has
 * none), and for every sample at every gated exit one finite score within the range.
 */
export function createCheckedGate(plugin: GatePlugin<unknown>, context: GateContext, trace: Trace, costs: ExitCosts): { gate: Gate; scores: Float32Array[] } {
  let gate: Gate;
  try {
    gate = plugin.create(validateGateOptions(plugin, {}), context);
  } catch (error) {
    throw asCustomGateError(error, 'create(options, context)', 'a gate');
  }
  finite(gate.range.min, 'range.min');
  finite(gate.range.max, 'range.max');
  if (!(gate.range.min < gate.range.max)) {
    throw new CustomGateError({ field: 'range', expected: 'min < max', received: `${gate.range.min} >= ${gate.range.max}` });
  }
  finite(gate.defaultThreshold, 'defaultThreshold');
  if (gate.defaultThreshold < gate.range.min || gate.defaultThreshold > gate.range.max) {
    throw new CustomGateError({
      field: 'defaultThreshold',
      expected: `a number in the range [${gate.range.min}, ${gate.range.max}]`,
      received: String(gate.defaultThreshold),
    });
  }
  const unsupported = gate.needs.filter((need) => need === 'hidden' || need === 'similarity');
  if (unsupported.length > 0) {
    throw new CustomGateError({
      field: 'needs',
      expected: "only 'history' (the page's test trace keeps logits and probabilities, not hidden states)",
      received: JSON.stringify(unsupported),
    });
  }
  let scores: Float32Array[];
  try {
    scores = scoreTrace(trace, gate, costs);
  } catch (error) {
    throw asCustomGateError(error, 'score(signal)', 'a scoring function that runs without throwing');
  }
  scores.forEach((exitScores, l) => {
    const bad = exitScores.findIndex((s) => !(s >= gate.range.min && s <= gate.range.max));
    if (bad >= 0) {
      throw new CustomGateError({
        field: `score of sample ${bad} at exit ${l}`,
        expected: `a number in the gate's range [${gate.range.min}, ${gate.range.max}]`,
        received: String(exitScores[bad]),
      });
    }
  });
  return { gate, scores };
}

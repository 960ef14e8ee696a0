import { boundedJson } from './describe-value.js';
import { type ErrorDetails, GateOptionsError } from './errors.js';
import { fieldAt, type IssuePath, valueAt } from './field-path.js';
import type { GateLowering } from './gate-graph.js';
import { checkOptionsSchema, isThenable, type OptionsSchema, pluginLabel } from './options-schema.js';
import type { ExitSignal, GateNeed } from './signal.js';

/** The closed interval of values a gate's score (and so its thresholds) can take. */
export interface ScoreRange {
  readonly min: number;
  readonly max: number;
}

/** What a gate knows about the network it is created for. */
export interface GateContext {
  /** Number of exits L (the last one always exits). */
  readonly exits: number;
  /** Number of classes C. */
  readonly classes: number;
  /** Flattened feature size per exit, when known (needed by gates on the hidden state). */
  readonly hiddenSizes?: readonly number[];
}

/**
 * An exit rule. `score` returns one number per sample of the signal: higher means readier to exit,
 * and the runner exits a sample at exit l when `score >= thresholds[l]`.
 * A score must depend only on its own sample's row, so batching never changes a decision.
 */
export interface Gate {
  readonly name: string;
  readonly needs: readonly GateNeed[];
  readonly range: ScoreRange;
  /** The threshold used when a config gives none. */
  readonly defaultThreshold: number;
  score(signal: ExitSignal): Float32Array;
  /** Multiply-accumulates per sample to evaluate the gate at `exit` (for cost accounting). */
  macs(exit: number): number;
  /** The score as graph operators (see `GateDefinition.onnx`), when the plugin provides it. */
  readonly onnx?: GateLowering;
  /** The network the gate was created for (gates made by `defineGate` carry it; policies check it). */
  readonly context?: GateContext;
}

/** A named, configurable way to make gates; what `defineGate` returns and the registry stores. */
export interface GatePlugin<Options = unknown> {
  readonly name: string;
  readonly description: string;
  /**
   * Validates and fills defaults of the options: a Standard Schema v1 (zod >= 3.24, zod 4, valibot >= 1,
   * arktype >= 2), checked when the plugin is defined or registered.
   */
  readonly options?: OptionsSchema<Options>;
  create(options: Options, context: GateContext): Gate;
}

/** The object a user writes to define a gate plugin. */
export interface GateDefinition<Options> {
  readonly name: string;
  readonly description?: string;
  /** The options schema: a Standard Schema v1 (zod >= 3.24, zod 4, valibot >= 1, arktype >= 2). */
  readonly options?: OptionsSchema<Options>;
  readonly needs?: readonly GateNeed[];
  /** Fixed score range, or computed from options and context (e.g. patience scores up to L - 1). */
  readonly range: ScoreRange | ((options: Options, context: GateContext) => ScoreRange);
  readonly defaultThreshold: number | ((options: Options, context: GateContext) => number);
  /** MACs per sample at an exit; defaults to the number of classes. */
  readonly macs?: (exit: number, context: GateContext, options: Options) => number;
  /** Builds the scoring function once per created gate. */
  readonly score: (
    options: Options,
    context: GateContext,
  ) => (signal: ExitSignal) => Float32Array;
  /**
   * Optional: the same score as ONNX operators, built once per created gate, so the gate can be
   * compiled into one graph with the network (`compileEarlyExit` of @offramp/onnx). It must give
   * the values `score` gives; gates without it still run in the JS runners.
   */
  readonly onnx?: (options: Options, context: GateContext) => GateLowering;
}

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Defines a gate plugin from a plain object; the plugin can be registered or used directly. */
export function defineGate<Options = Record<string, never>>(
  definition: GateDefinition<Options>,
): GatePlugin<Options> {
  if (!NAME_PATTERN.test(definition.name)) {
    throw new GateOptionsError({
      field: 'definition.name',
      expected: 'a kebab-case name matching /^[a-z][a-z0-9-]*$/',
      received: JSON.stringify(definition.name),
    });
  }
  checkOptionsSchema(definition, 'gate', 'definition.options', (details) => new GateOptionsError(details));
  const needs = Object.freeze([...(definition.needs ?? [])]);
  return Object.freeze({
    name: definition.name,
    description: definition.description ?? '',
    ...(definition.options ? { options: definition.options } : {}),
    create(options: Options, context: GateContext): Gate {
      const range =
        typeof definition.range === 'function' ? definition.range(options, context) : definition.range;
      const defaultThreshold =
        typeof definition.defaultThreshold === 'function'
          ? definition.defaultThreshold(options, context)
          : definition.defaultThreshold;
      const scorer = definition.score(options, context);
      const macs = definition.macs;
      const lowering = definition.onnx?.(options, context);
      return Object.freeze({
        name: definition.name,
        needs,
        range: Object.freeze({ ...range }),
        defaultThreshold,
        score: scorer,
        macs: (exit: number) => (macs ? macs(exit, context, options) : context.classes),
        ...(lowering ? { onnx: lowering } : {}),
        context: Object.freeze({ exits: context.exits, classes: context.classes }),
      });
    },
  });
}

/**
 * Runs a plugin's option schema (a gate's, a backbone's, a head's) on `raw` (undefined means `{}`); throws
 * the error `makeError` builds (a GateOptionsError by default) naming the first bad field under `field`.
 * A schema that is not a Standard Schema v1, or validates asynchronously, is an error naming
 * `plugin.options` and the plugin (`kind` and name).
 */
export function validateGateOptions<Options>(
  plugin: { readonly name: string; readonly options?: OptionsSchema<Options> },
  raw: unknown,
  field = 'options',
  makeError: (details: ErrorDetails) => Error = (details) => new GateOptionsError(details),
  kind = 'gate',
): Options {
  if (plugin.options === undefined) return (raw ?? {}) as Options;
  checkOptionsSchema(plugin, kind, 'plugin.options', makeError);
  const result: unknown = plugin.options['~standard'].validate(raw ?? {});
  if (isThenable(result)) {
    // Nobody awaits it: a rejection must not become an unhandled one.
    Promise.resolve(result).catch(() => undefined);
    throw makeError({
      field: 'plugin.options',
      expected: 'a schema that validates synchronously (options are checked when a part is created, which is synchronous)',
      received: `for ${pluginLabel(kind, plugin.name)}, a schema whose validate returned a Promise (an async refinement or transform?)`,
    });
  }
  if (result === null || typeof result !== 'object') {
    throw makeError({
      field: 'plugin.options',
      expected: 'a Standard Schema result ({ value } or { issues })',
      received: `for ${pluginLabel(kind, plugin.name)}, ${describeValue(result)}`,
    });
  }
  const { issues, value } = result as { issues?: ReadonlyArray<{ message?: unknown; path?: IssuePath }>; value?: unknown };
  if (issues !== undefined) {
    const issue = issues[0];
    const path = Array.isArray(issue?.path) ? issue.path : [];
    throw makeError({
      field: fieldAt(field, path),
      expected: typeof issue?.message === 'string' ? issue.message : 'options the schema accepts',
      received: describeValue(valueAt(raw, path)),
    });
  }
  return value as Options;
}

/** Short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return String(value);
  return boundedJson(value);
}

/** Machine-readable codes carried by every offramp error. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'GATE_UNKNOWN'
  | 'GATE_DUPLICATE'
  | 'GATE_OPTIONS_INVALID'
  | 'INPUT_SHAPE'
  | 'INPUT_NOT_FINITE'
  | 'INPUT_EMPTY'
  | 'THRESHOLD_RANGE'
  | 'COUNT_MISMATCH'
  | 'ARGUMENT_INVALID'
  | 'GATE_NOT_COMPILABLE'
  | 'PEER_MISSING'
  | 'RUN_FAILED';

export interface ErrorDetails {
  /** The field, argument or path that is wrong, e.g. `heads[1].type` or `thresholds[0]`. */
  readonly field: string;
  /** What was expected, in words. */
  readonly expected: string;
  /** What came instead, in words. */
  readonly received: string;
}

function describe(details: ErrorDetails, hint?: string): string {
  const base = `${details.field}: expected ${details.expected}, received ${details.received}`;
  return hint ? `${base} (${hint})` : base;
}

/** Base class of every error offramp throws on purpose. */
export class OfframpError extends Error implements ErrorDetails {
  readonly code: ErrorCode;
  readonly field: string;
  readonly expected: string;
  readonly received: string;

  constructor(code: ErrorCode, details: ErrorDetails, hint?: string) {
    super(describe(details, hint));
    this.name = new.target.name;
    this.code = code;
    this.field = details.field;
    this.expected = details.expected;
    this.received = details.received;
  }
}

/** A network config (or part of one) failed validation. */
export class ConfigError extends OfframpError {
  constructor(details: ErrorDetails, hint?: string) {
    super('CONFIG_INVALID', details, hint);
  }
}

/** A gate name is not registered. */
export class UnknownGateError extends OfframpError {
  constructor(name: string, known: readonly string[], field = 'gate.name') {
    super('GATE_UNKNOWN', {
      field,
      expected: `one of the registered gates (${known.join(', ') || 'none registered'})`,
      received: JSON.stringify(name),
    });
  }
}

/** A gate name was registered twice. */
export class DuplicateGateError extends OfframpError {
  constructor(name: string) {
    super('GATE_DUPLICATE', {
      field: 'plugin.name',
      expected: 'a name that is not registered yet',
      received: `${JSON.stringify(name)}, which is already registered`,
    });
  }
}

/** Gate options failed the plugin's schema. */
export class GateOptionsError extends OfframpError {
  constructor(details: ErrorDetails) {
    super('GATE_OPTIONS_INVALID', details);
  }
}

/** Input data has the wrong shape, size or is empty. */
export class InputShapeError extends OfframpError {
  constructor(details: ErrorDetails) {
    super('INPUT_SHAPE', details);
  }
}

/** Input data holds NaN or infinity. */
export class NonFiniteInputError extends OfframpError {
  constructor(field: string, index: number, value: number) {
    super('INPUT_NOT_FINITE', {
      field: `${field}[${index}]`,
      expected: 'a finite number',
      received: String(value),
    });
  }
}

/** A batch with no samples. */
export class EmptyBatchError extends OfframpError {
  constructor(field = 'batch') {
    super('INPUT_EMPTY', { field, expected: 'at least one sample', received: '0 samples' });
  }
}

/** A threshold outside the range its gate scores in. */
export class ThresholdRangeError extends OfframpError {
  constructor(details: ErrorDetails) {
    super('THRESHOLD_RANGE', details);
  }
}

/** Two counts that must agree do not (heads vs exits, thresholds vs exits, ...). */
export class CountMismatchError extends OfframpError {
  constructor(details: ErrorDetails) {
    super('COUNT_MISMATCH', details);
  }
}

/** Any other argument that is out of its domain. */
export class ArgumentError extends OfframpError {
  constructor(details: ErrorDetails) {
    super('ARGUMENT_INVALID', details);
  }
}

/** A gate without a graph form (`defineGate({ onnx })`) was given to a graph compiler. */
export class GateNotCompilableError extends OfframpError {
  readonly gate: string;
  constructor(gate: string, field = 'policy.gate') {
    super(
      'GATE_NOT_COMPILABLE',
      {
        field,
        expected: 'a gate with an ONNX form (the `onnx` field of defineGate)',
        received: `gate ${JSON.stringify(gate)}, which has none`,
      },
      'the JS runners (runEarlyExit) still serve it',
    );
    this.gate = gate;
  }
}

/** An optional peer dependency that a function needs is not installed. */
export class MissingPeerError extends OfframpError {
  readonly packageName: string;
  constructor(packageName: string, install: string, field = packageName) {
    super('PEER_MISSING', { field, expected: `the optional peer ${packageName} installed (${install})`, received: 'no such package' });
    this.packageName = packageName;
  }
}

/** Whether `error` says that `packageName` itself (not something it imports) could not be found. */
function isMissing(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${packageName}`);
}

/**
 * Loads an optional peer (`load` is the literal `import(...)`, so bundlers still see it); a missing package
 * becomes a MissingPeerError naming it and the command that installs it. Other errors pass through.
 */
export async function loadPeer<T>(packageName: string, install: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPeerError(packageName, install);
    throw error;
  }
}

/** loadPeer for a synchronous `require(...)` or `require.resolve(...)`. */
export function requirePeer<T>(packageName: string, install: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPeerError(packageName, install);
    throw error;
  }
}

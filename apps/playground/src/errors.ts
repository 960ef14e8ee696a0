import { type ErrorDetails, OfframpError } from '@offramp/core';

/** A model file of the page (trace, samples) is not what its format says. */
export class ModelFileError extends OfframpError {
  constructor(details: ErrorDetails, hint?: string) {
    super('ARGUMENT_INVALID', details, hint);
  }
}

/** A pasted gate plugin does not compile, or does not behave like a gate. */
export class CustomGateError extends OfframpError {
  constructor(details: ErrorDetails, hint?: string) {
    super('GATE_OPTIONS_INVALID', details, hint);
  }
}

/** The browser the end-to-end test and the measurement need is not installed. */
export class BrowserMissingError extends OfframpError {
  constructor(details: ErrorDetails, hint?: string) {
    super('ARGUMENT_INVALID', details, hint);
  }
}

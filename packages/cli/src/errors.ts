import { type ErrorDetails, OfframpError } from '@offramp/core';

/** A data file (.npz) that does not unzip, lacks an array, or holds arrays of the wrong shape or values. */
export class DataFileError extends OfframpError {
  constructor(details: ErrorDetails, hint?: string) {
    super('ARGUMENT_INVALID', details, hint);
  }
}

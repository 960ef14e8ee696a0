/** Runs `fn` and returns what it threw; fails when it throws nothing. */
export function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** Runs `fn` and checks it throws an instance of `type` naming `field`. */
export function expectFieldError(fn: () => unknown, type: abstract new (...args: never[]) => Error, field: string): void {
  const error = catchError(fn);
  if (!(error instanceof type)) throw new Error(`expected a ${type.name}, got ${String(error)}`);
  const named = (error as Error & { field?: string }).field;
  if (named !== field) throw new Error(`expected field ${field}, got ${named} (${error.message})`);
}

import { OfframpError } from '@offramp/core';

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly field?: string;
    readonly expected?: string;
    readonly received?: string;
  };
}

/** An HTTP-level refusal (queue full, timeout, closing) with its status code. */
export class HttpRefusal extends Error {
  readonly statusCode: number;
  readonly code: string;

  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'HttpRefusal';
    this.statusCode = statusCode;
    this.code = code;
  }
}

function statusOf(error: unknown): number | undefined {
  if (error !== null && typeof error === 'object' && 'statusCode' in error && typeof error.statusCode === 'number') {
    return error.statusCode;
  }
  return undefined;
}

/** Status and body for an error: bad input is a 4xx with the field named; anything else a 500. */
export function errorAnswer(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof OfframpError) {
    return {
      status: 400,
      body: {
        error: {
          code: error.code,
          message: error.message,
          field: error.field,
          expected: error.expected,
          received: error.received,
        },
      },
    };
  }
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const code =
    error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : 'INTERNAL';
  if (status !== undefined && status >= 400 && status < 600) return { status, body: { error: { code, message } } };
  return { status: 500, body: { error: { code: 'INTERNAL', message } } };
}

import { ArgumentError, type ErrorDetails } from '@offramp/core';
import type { CommanderError, Option } from 'commander';
import { OptionValueError } from './option-parsers.js';

/**
 * The command line did not parse: a bad option value (the field names the option), or an unknown,
 * missing or surplus option or command (the field is `command line`). Commander has printed its
 * usual message by then; `exitCode` is the one it suggests.
 */
export class CommandLineError extends ArgumentError {
  readonly exitCode: number;

  constructor(details: ErrorDetails, exitCode = 1) {
    super(details);
    this.exitCode = exitCode;
  }

  /** `value` of `option` failed its parser with `cause`. */
  static badValue(option: Option, value: string, cause: Error): CommandLineError {
    const expected = cause instanceof OptionValueError ? cause.expected : cause.message;
    return new CommandLineError({ field: option.long ?? option.flags, expected, received: value === '' ? 'an empty value' : value });
  }

  /** Any other usage error commander reports. */
  static fromCommander(error: CommanderError): CommandLineError {
    return new CommandLineError(
      {
        field: 'command line',
        expected: 'the options and commands --help lists',
        received: error.message.replace(/^error: /, '').split('\n').join(' '),
      },
      error.exitCode,
    );
  }
}

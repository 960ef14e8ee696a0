import { join } from 'node:path';
import { OfframpError } from '@offramp/core';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { appDirectory } from './app-directory.js';
import { CommandLineError } from './command-line-error.js';
import { addCommonOptions, type CommonOptionDeclarations, type CommonOptionsOf } from './common-options.js';

/** What a command's run gets besides its options. */
export interface CliContext {
  /** The app's folder (the parent of the folder holding the entry module). */
  readonly appDir: string;
  /** The app's README.md to write results into: undefined without `--no-readme` or when it was given. */
  readonly readme: string | undefined;
  /** Prints a line on stdout. */
  readonly log: (line: string) => void;
}

/** One command: its own options, the common ones it takes, and what it runs. */
export interface CliCommandSpec<Options> {
  readonly description: string;
  /** Adds the command's own options (they come before the common ones in --help). */
  readonly options?: (command: Command, appDir: string) => Command;
  readonly common: CommonOptionsOf<Options>;
  /** Runs before the clock starts, e.g. the tensor backend's setup. */
  readonly setup?: () => Promise<unknown>;
  readonly run: (options: Options, context: CliContext) => Promise<unknown>;
  /** Prints `done in N s` after the run (default true). */
  readonly timed?: boolean;
}

/** A subcommand of a program with several. */
export interface CliSubcommandSpec<Options> extends CliCommandSpec<Options> {
  readonly name: string;
  /** The command run when none is named. */
  readonly isDefault?: boolean;
}

/** The program: its name and description in --help, and `import.meta.url` of its entry module. */
export interface CliProgram {
  readonly moduleUrl: string;
  readonly name: string;
  readonly description: string;
}

/** Where a run reads its arguments and writes; the process's by default. */
export interface CliIo {
  /** The arguments after the program's path. */
  readonly argv: readonly string[];
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly setExitCode: (code: number) => void;
}

/** How a command line ended: ran, printed help, was refused, or its run threw. */
export type CliOutcome =
  | { readonly kind: 'ran'; readonly exitCode: 0; readonly seconds: number }
  | { readonly kind: 'help'; readonly exitCode: 0 }
  | { readonly kind: 'refused'; readonly exitCode: number; readonly error: CommandLineError }
  | { readonly kind: 'failed'; readonly exitCode: 1; readonly error: unknown };

/** What runCli hands a command when attaching it. */
export interface CliSession {
  readonly appDir: string;
  readonly io: CliIo;
  readonly refuse: (error: CommandLineError) => void;
  readonly settle: (outcome: CliOutcome) => void;
}

/** A subcommand made by `cliCommand`, its options type checked there. */
export interface CliCommand {
  readonly name: string;
  readonly description: string;
  readonly isDefault: boolean;
  /** Declares the options on `command` and sets its action. */
  readonly attach: (command: Command, session: CliSession) => void;
}

/** A subcommand for `runCli({ ..., commands })`. */
export function cliCommand<Options extends object>(spec: CliSubcommandSpec<Options>): CliCommand {
  return {
    name: spec.name,
    description: spec.description,
    isDefault: spec.isDefault ?? false,
    attach: (command, session) => attachCommand(spec, command, session),
  };
}

/**
 * Parses the command line and runs the command it names: one command with its own options, or
 * several (`commands`). Help exits 0. A bad value or unknown option prints commander's message,
 * sets exit code 1 and resolves to a CommandLineError naming the option. A run that throws prints
 * the error and sets exit code 1. Nothing calls process.exit.
 */
export function runCli<Options extends object>(
  program: CliProgram & CliCommandSpec<Options>,
  io?: Partial<CliIo>,
): Promise<CliOutcome>;
export function runCli(
  program: CliProgram & { readonly commands: readonly CliCommand[] },
  io?: Partial<CliIo>,
): Promise<CliOutcome>;
export async function runCli<Options extends object>(
  program: CliProgram & (CliCommandSpec<Options> | { readonly commands: readonly CliCommand[] }),
  io: Partial<CliIo> = {},
): Promise<CliOutcome> {
  const fullIo: CliIo = { ...processIo(), ...io };
  const root = new Command(program.name)
    .description(program.description)
    .exitOverride()
    .configureOutput({ writeOut: fullIo.out, writeErr: fullIo.err });
  let refusal: CommandLineError | undefined;
  let outcome: CliOutcome | undefined;
  const session: CliSession = {
    appDir: appDirectory(program.moduleUrl),
    io: fullIo,
    refuse: (error) => {
      refusal ??= error;
    },
    settle: (result) => {
      outcome = result;
    },
  };
  if ('commands' in program) {
    for (const sub of program.commands) {
      sub.attach(root.command(sub.name, { isDefault: sub.isDefault }).description(sub.description), session);
    }
  } else {
    attachCommand(program, root, session);
  }
  try {
    await root.parseAsync([...fullIo.argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return { kind: 'help', exitCode: 0 };
    fullIo.setExitCode(error.exitCode);
    return { kind: 'refused', exitCode: error.exitCode, error: refusal ?? CommandLineError.fromCommander(error) };
  }
  return outcome ?? { kind: 'help', exitCode: 0 };
}

function attachCommand<Options extends object>(spec: CliCommandSpec<Options>, command: Command, session: CliSession): void {
  const { appDir, io } = session;
  spec.options?.(command, appDir);
  const common: Partial<CommonOptionDeclarations> = spec.common;
  addCommonOptions(command, common, appDir);
  reportBadValues(command, session.refuse);
  command.action(async () => {
    const options = command.opts<Options>();
    const values: Record<string, unknown> = command.opts();
    const context: CliContext = {
      appDir,
      readme: common.readme !== undefined && values.readme === true ? join(appDir, 'README.md') : undefined,
      log: (line) => io.out(`${line}\n`),
    };
    session.settle(await runCommand(spec, options, context, io));
  });
}

async function runCommand<Options>(
  spec: CliCommandSpec<Options>,
  options: Options,
  context: CliContext,
  io: CliIo,
): Promise<CliOutcome> {
  try {
    await spec.setup?.();
    const started = Date.now();
    await spec.run(options, context);
    const seconds = (Date.now() - started) / 1000;
    if (spec.timed ?? true) context.log(`done in ${seconds.toFixed(1)} s`);
    return { kind: 'ran', exitCode: 0, seconds };
  } catch (error) {
    io.err(`${describeFailure(error)}\n`);
    io.setExitCode(1);
    return { kind: 'failed', exitCode: 1, error };
  }
}

/** Wraps the parser of each option so that a refused value is also kept as a CommandLineError naming it. */
function reportBadValues(command: Command, refuse: (error: CommandLineError) => void): void {
  for (const option of command.options) {
    const parse = option.parseArg;
    if (!parse) continue;
    option.argParser((value: string, previous: unknown) => {
      try {
        return parse(value, previous);
      } catch (error) {
        if (error instanceof InvalidArgumentError) refuse(CommandLineError.badValue(option, value, error));
        throw error;
      }
    });
  }
}

/** One line for offramp's typed errors; the stack for anything else. */
function describeFailure(error: unknown): string {
  if (error instanceof OfframpError) return `${error.name}: ${error.message}`;
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `error: ${String(error)}`;
}

function processIo(): CliIo {
  return {
    argv: process.argv.slice(2),
    out: (text) => {
      process.stdout.write(text);
    },
    err: (text) => {
      process.stderr.write(text);
    },
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

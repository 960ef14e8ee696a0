import { Command } from 'commander';
import { addAttachCommand } from './attach-command.js';
import { exitCodeOf } from './exit-codes.js';
import { addFolderCommands } from './folder-commands.js';
import { addServeCommand } from './serve-command.js';
import { parseExitsOption } from './exit-selection.js';
import { formatInspectReport, inspectModel } from './inspect.js';
import { wholeNumberOption } from './option-values.js';

/** Where the program writes. */
export interface ProgramIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: ProgramIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

interface InspectCliOptions {
  readonly probe: string;
  readonly exits: string;
  readonly json?: boolean;
}

/** The `offramp` program with its commands; options are checked by the commands (typed errors). */
export function createProgram(io: ProgramIo = processIo, extra: readonly ((program: Command, io: ProgramIo) => void)[] = [addAttachCommand, addFolderCommands, addServeCommand]): Command {
  const program = new Command('offramp')
    .description('Early exits for your own ONNX model: find where it can be cut, attach certified exits, evaluate, time and serve them.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  program
    .command('inspect')
    .description('List inputs, outputs, every tensor with its shape and cumulative MACs, the legal cuts and suggested exits.')
    .argument('<model>', 'the ONNX model')
    .option('--probe <n>', 'samples in the probe run', '1')
    .option('--exits <spec>', 'exits to suggest: auto:N', 'auto:3')
    .option('--json', 'print the report as JSON')
    .action(async (model: string, options: InspectCliOptions) => {
      const report = await inspectModel(model, {
        probe: wholeNumberOption(options.probe, 1, '--probe'),
        exits: parseExitsOption(options.exits),
      });
      io.out(`${options.json ? JSON.stringify(report, null, 2) : formatInspectReport(report)}\n`);
    });
  for (const add of extra) add(program, io);
  return program;
}

/** Runs the program on `argv` (the arguments after the script); resolves to the exit code. */
export async function runProgram(argv: readonly string[], io: ProgramIo = processIo, program = createProgram(io)): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    const code = exitCodeOf(error);
    if (code !== 0 && !(error instanceof Error && error.name === 'CommanderError')) {
      io.err(`offramp: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    }
    return code;
  }
}

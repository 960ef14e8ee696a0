import type { Command } from 'commander';
import { benchAttached } from './bench-attached.js';
import type { ProgramIo } from './cli-program.js';
import { formatTiming } from './attached-timing.js';
import { evaluateAttached, formatEvaluation } from './evaluate-attached.js';
import { wholeNumberListOption, wholeNumberOption } from './option-values.js';

interface EvalCliOptions {
  readonly test: string;
  readonly cache?: string;
  readonly json?: boolean;
}

interface BenchCliOptions {
  readonly data: string;
  readonly samples: string;
  readonly batches: string;
  readonly passes: string;
  readonly cache?: string;
  readonly json?: boolean;
}

/** Adds `offramp eval` and `offramp bench`, which read the output folder of `offramp attach`. */
export function addFolderCommands(program: Command, io: ProgramIo): void {
  program
    .command('eval')
    .description('Accuracy, cost and samples per exit of an attached model on labelled data; checks both runners against trace evaluation.')
    .argument('<dir>', 'output folder of offramp attach')
    .requiredOption('--test <data>', '.npz with images and labels, or a dataset by name (fashion-mnist:test)')
    .option('--cache <dir>', 'cache of named datasets (default: .offramp-cache next to <dir>)')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, o: EvalCliOptions) => {
      const report = await evaluateAttached(dir, { data: o.test, ...(o.cache ? { cache: o.cache } : {}) });
      io.out(`${o.json ? JSON.stringify(report, null, 2) : formatEvaluation(report)}\n`);
    });
  program
    .command('bench')
    .description('Time per sample of the full graph, the JS-driven and the compiled early exit, and the time to each exit, on this machine.')
    .argument('<dir>', 'output folder of offramp attach')
    .requiredOption('--data <data>', '.npz with images, or a dataset by name (fashion-mnist:test)')
    .option('--samples <n>', 'samples timed', '2048')
    .option('--batches <list>', 'batch sizes, separated by commas', '1,128')
    .option('--passes <n>', 'timed passes per mode and batch (median kept)', '3')
    .option('--cache <dir>', 'cache of named datasets (default: .offramp-cache next to <dir>)')
    .option('--json', 'print the timing as JSON')
    .action(async (dir: string, o: BenchCliOptions) => {
      const timing = await benchAttached(dir, {
        data: o.data,
        samples: wholeNumberOption(o.samples, 1, '--samples'),
        batches: wholeNumberListOption(o.batches, 1, '--batches'),
        passes: wholeNumberOption(o.passes, 1, '--passes'),
        ...(o.cache ? { cache: o.cache } : {}),
      });
      io.out(`${o.json ? JSON.stringify(timing, null, 2) : formatTiming(timing)}\n`);
    });
}

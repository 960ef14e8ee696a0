import type { Command } from 'commander';
import { attachExits } from './attach.js';
import type { ProgramIo } from './cli-program.js';
import { parseExitsOption } from './exit-selection.js';
import { GATE_NAMES } from './gate-choice.js';
import { HEAD_KINDS, HEAD_POOLS } from './head-training.js';
import { choiceOption, fractionOption, nonNegativeOption, openUnitOption, wholeNumberOption } from './option-values.js';

const THRESHOLD_MODES = ['shared', 'per-exit'] as const;

interface AttachCliOptions {
  readonly exits: string;
  readonly train: string;
  readonly val: string;
  readonly test?: string;
  readonly head: string;
  readonly pool: string;
  readonly gate: string;
  readonly thresholds: string;
  readonly temperature: string;
  readonly risk: string;
  readonly delta: string;
  readonly out: string;
  readonly cache?: string;
  readonly epochs: string;
  readonly lambda: string;
  readonly seed: string;
  readonly timingSamples: string;
  readonly force?: boolean;
}

/** Adds `offramp attach` to the program. */
export function addAttachCommand(program: Command, io: ProgramIo): void {
  program
    .command('attach')
    .description('Cut the model at exits, train a head per exit, certify thresholds (Learn-then-Test) and write a bundle.')
    .argument('<model>', 'the ONNX model')
    .requiredOption('--exits <spec>', 'tensor names separated by commas (in graph order), or auto:N')
    .requiredOption('--train <data>', '.npz with images and labels to train the heads on, or a dataset by name (fashion-mnist:train:0-10000)')
    .requiredOption('--val <data>', 'data for early stopping and for certifying the thresholds')
    .option('--test <data>', 'data to report accuracy, cost and time on (default: the validation set)')
    .option('--head <kind>', `exit head: ${HEAD_KINDS.join(', ')}`, 'linear')
    .option('--pool <kind>', `image feature maps into the heads: ${HEAD_POOLS.join(', ')} (grid: averaged to about 7 x 7 first)`, 'grid')
    .option('--gate <name>', `exit gate: ${GATE_NAMES.join(', ')}`, 'max-prob')
    .option('--thresholds <mode>', `one threshold for all exits or one per exit: ${THRESHOLD_MODES.join(', ')}`, 'shared')
    .option('--temperature <fraction>', 'fraction of --val that fits a temperature per head before the rest certifies (0: none)', '0.2')
    .option('--risk <epsilon>', 'allowed rise of the error over the last exit', '0.01')
    .option('--delta <delta>', 'allowed probability that the guarantee fails', '0.1')
    .requiredOption('--out <dir>', 'output folder (must not exist, unless --force)')
    .option('--cache <dir>', 'feature cache folder (default: .offramp-cache next to --out)')
    .option('--epochs <n>', 'most epochs per head', '8')
    .option('--lambda <x>', "JEI-DNN's cost weight in the gate's target exit (--gate jei)", '0.1')
    .option('--seed <n>', 'seed of the heads and shuffling', '0')
    .option('--timing-samples <n>', 'samples of the test data timed on this machine (0: no timing)', '1024')
    .option('--force', 'replace an existing output folder')
    .action(async (model: string, o: AttachCliOptions) => {
      await attachExits({
        model,
        exits: parseExitsOption(o.exits),
        train: o.train,
        validation: o.val,
        ...(o.test ? { test: o.test } : {}),
        head: choiceOption(o.head, HEAD_KINDS, '--head'),
        pool: choiceOption(o.pool, HEAD_POOLS, '--pool'),
        gate: choiceOption(o.gate, GATE_NAMES, '--gate'),
        thresholdMode: choiceOption(o.thresholds, THRESHOLD_MODES, '--thresholds'),
        temperatureFraction: fractionOption(o.temperature, '--temperature'),
        risk: openUnitOption(o.risk, '--risk'),
        delta: openUnitOption(o.delta, '--delta'),
        out: o.out,
        ...(o.cache ? { cache: o.cache } : {}),
        epochs: wholeNumberOption(o.epochs, 1, '--epochs'),
        seed: wholeNumberOption(o.seed, 0, '--seed'),
        lambda: nonNegativeOption(o.lambda, '--lambda'),
        timingSamples: wholeNumberOption(o.timingSamples, 0, '--timing-samples'),
        overwrite: o.force ?? false,
        log: (line) => io.out(`${line}\n`),
      });
    });
}

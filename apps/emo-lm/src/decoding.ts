#!/usr/bin/env node
import { join } from 'node:path';
import { appDirectory, listOf, numberIn, positiveInt, runCli } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { runDecodingReport } from './decoding-report.js';

/** The command line's options, as commander names them. */
interface DecodingCliOptions {
  readonly modelDir: string;
  readonly resultsDir: string;
  readonly prompts: number;
  readonly steps: number;
  readonly promptLength: number;
  readonly draftLayers: number[];
  readonly draftTokens: number[];
  readonly draftConfidence: number[];
  readonly batchSize: number;
  readonly evalWindows: number;
  readonly ortThreads: number;
  readonly readme: boolean;
}

const appDir = appDirectory(import.meta.url);

await runCli<DecodingCliOptions>({
  moduleUrl: import.meta.url,
  name: 'emo-lm-decoding',
  description:
    'Greedy decoding speed of the shipped MLE- and EMO-tuned models: the full model against self-speculative decoding at each (d, k), on tfjs and onnxruntime.',
  options: (command) =>
    command
      .option('--model-dir <dir>', 'folder written by `main.js --ship-dir`', join(appDir, 'models', 'large'))
      .option('--results-dir <dir>', 'where results are written', join(appDir, 'results', 'decoding'))
      .option('--prompts <n>', 'held-out prompts', positiveInt, 24)
      .option('--prompt-length <n>', 'tokens per prompt', positiveInt, 32)
      .option('--steps <n>', 'tokens generated per prompt', positiveInt, 32)
      .option('--draft-layers <list>', 'd values', listOf(positiveInt), [1, 2, 3, 4])
      .option('--draft-tokens <list>', 'k values', listOf(positiveInt), [2, 3, 5])
      .option('--draft-confidence <list>', 'draft confidences below which drafting stops (0: never)', listOf(numberIn(0, 1)), [0])
      .option('--batch-size <n>', 'prompts per batch in the batched measurement', positiveInt, 8)
      .option('--eval-windows <n>', 'held-out windows for perplexity', positiveInt, 128)
      .option('--ort-threads <n>', "onnxruntime's intra-op threads", positiveInt, 1),
  common: { readme: true },
  setup: useWasmBackend,
  run: (options, { log, readme }) =>
    runDecodingReport(
      {
        modelDir: options.modelDir,
        outDir: options.resultsDir,
        speculative: {
          prompts: options.prompts,
          promptLength: options.promptLength,
          steps: options.steps,
          batchSize: options.batchSize,
          points: options.draftLayers.flatMap((d) => options.draftTokens.flatMap((k) => options.draftConfidence.map((c) => [d, k, c] as const))),
        },
        evalWindows: options.evalWindows,
        ortThreads: options.ortThreads,
        log,
      },
      readme,
    ),
});

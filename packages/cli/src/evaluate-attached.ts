import { dirname, join, resolve } from 'node:path';
import { collectTrace } from '@offramp/core';
import { compiledPass, earlyExitPass } from '@offramp/onnx/node';
import { openAttached } from './attached-folder.js';
import { readDataSource } from './data-source.js';
import { disagreements, evaluateOnTrace, type ExitingSummary } from './operating-point.js';

export interface EvaluateOptions {
  /** A .npz file or a dataset by name. */
  readonly data: string;
  /** Where named datasets are cached; default `.offramp-cache` next to the folder. */
  readonly cache?: string;
  /** Samples per call of the two runners checked against trace evaluation. Default 128. */
  readonly batch?: number;
}

/** `offramp eval`: the certified early exit on labelled data, and whether every way of running it agrees. */
export interface EvaluationReport {
  readonly folder: string;
  readonly data: string;
  readonly samples: number;
  readonly gate: string;
  readonly thresholds: readonly number[];
  readonly lastExit: ExitingSummary;
  readonly earlyExit: ExitingSummary;
  readonly oracle: ExitingSummary;
  readonly exitAccuracies: readonly number[];
  /** Samples where the runner's exit or prediction differs from trace evaluation (0 when they agree). */
  readonly disagreements: { readonly jsRunner: number; readonly compiledGraph: number };
}

/**
 * Evaluates an attach output folder on labelled data: per-exit traces give the last exit, the certified
 * policy and the oracle; then the JS-driven runner and the compiled graph run the same data and are
 * compared with trace evaluation sample for sample.
 */
export async function evaluateAttached(folder: string, options: EvaluateOptions): Promise<EvaluationReport> {
  const model = await openAttached(folder, '<dir>');
  try {
    const { manifest } = model.bundle;
    const cacheDir = options.cache ?? join(dirname(resolve(folder)), '.offramp-cache');
    const data = await readDataSource(options.data, '--test', manifest.inputShape, manifest.classes, cacheDir);
    const trace = await collectTrace(model.engine, data.images, data.n);
    const evaluated = evaluateOnTrace(trace, model.policy, data.labels);
    const batch = options.batch ?? 128;
    const js = await earlyExitPass(model.engine, model.policy, data.images, data.n, batch);
    const graph = await compiledPass(model.compiled, data.images, data.n, batch, model.policy.costs);
    return {
      folder,
      data: options.data,
      samples: data.n,
      gate: model.policy.gate.name,
      thresholds: Array.from(model.policy.thresholds),
      lastExit: evaluated.lastExit,
      earlyExit: evaluated.earlyExit,
      oracle: evaluated.oracle,
      exitAccuracies: evaluated.exitAccuracies,
      disagreements: {
        jsRunner: disagreements(js, evaluated),
        compiledGraph: disagreements(graph, evaluated),
      },
    };
  } finally {
    await model.release();
  }
}

/** The report as a few lines of text. */
export function formatEvaluation(report: EvaluationReport): string {
  const line = (name: string, s: ExitingSummary) =>
    `| ${name} | ${(100 * s.accuracy).toFixed(2)}% | ${(100 * s.macsRatio).toFixed(1)}% | ${s.exitCounts.join(' / ')} |`;
  return [
    `${report.folder} on ${report.data} (${report.samples} samples), gate ${report.gate}, thresholds ${report.thresholds.join(', ')}`,
    '',
    '| policy | accuracy | MACs vs last exit | samples per exit |',
    '|---|---|---|---|',
    line('last exit', report.lastExit),
    line('certified early exit', report.earlyExit),
    line('oracle', report.oracle),
    '',
    `head accuracy per exit: ${report.exitAccuracies.map((a) => `${(100 * a).toFixed(2)}%`).join(' / ')}`,
    `against trace evaluation: JS runner ${report.disagreements.jsRunner} and compiled graph ${report.disagreements.compiledGraph} samples differ`,
  ].join('\n');
}

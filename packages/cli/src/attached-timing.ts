import { type ExitPolicy, measureStageTimes, median, shapeSize } from '@offramp/core';
import { type CompiledEarlyExit, type OnnxEngine, type OrtSessionOptions } from '@offramp/onnx';
import { compiledPass, earlyExitPass, fullModelPass, type Pass } from '@offramp/onnx/node';
import { disagreements } from './operating-point.js';
import { stepProgress } from './step-progress.js';

/** One thread, sequential: the time of one request on one core, comparable between machines. */
export const TIMING_SESSION_OPTIONS: OrtSessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** Microseconds per sample at one batch size: the full graph, the JS-driven early exit, the compiled graph. */
export interface TimingRow {
  readonly batch: number;
  readonly fullUs: number;
  readonly earlyExitUs: number;
  readonly compiledUs: number;
  readonly earlyExitSpeedup: number;
  readonly compiledSpeedup: number;
  /** Cumulative microseconds per sample to answer at each exit (stages, heads and gates up to it; every row running). */
  readonly exitUs: readonly number[];
}

export interface AttachedTiming {
  readonly samples: number;
  /** Timed passes per mode and batch (interleaved: full, early exit, compiled, then again); medians reported. */
  readonly passes: number;
  readonly rows: readonly TimingRow[];
  /** Samples on which the JS-driven and the compiled early exit gave a different exit or prediction (should be 0). */
  readonly disagreements: number;
}

export interface TimingOptions {
  readonly batches: readonly number[];
  readonly passes: number;
}

/**
 * Times an attached model on `images` (n samples): per batch size, one warm-up pass of each mode, then
 * `passes` rounds that run the full graph, the JS-driven early exit (runEarlyExit) and the compiled graph
 * in turn (so a slow spell of the machine hits all three), medians per sample; and the per-exit cumulative
 * time (measureStageTimes). Also counts samples where the two early exits disagree.
 */
export async function timeAttached(
  engine: OnnxEngine,
  compiled: CompiledEarlyExit,
  policy: ExitPolicy,
  images: Float32Array,
  n: number,
  options: TimingOptions,
): Promise<AttachedTiming> {
  const fullMacs = policy.costs.cumulativeMacs[engine.exits - 1]!;
  const bar = stepProgress('timing', options.batches.length * (options.passes + 1) * 3);
  const rows: TimingRow[] = [];
  let disagreed = 0;
  try {
    for (const batch of options.batches) {
      const modes = [
        () => fullModelPass(engine, images, n, batch, fullMacs),
        () => earlyExitPass(engine, policy, images, n, batch),
        () => compiledPass(compiled, images, n, batch, policy.costs),
      ];
      const seconds: number[][] = modes.map(() => []);
      for (let round = 0; round <= options.passes; round++) {
        const passes: Pass[] = [];
        for (const [m, mode] of modes.entries()) {
          const pass = await mode();
          passes.push(pass);
          if (round > 0) seconds[m]!.push(pass.seconds);
          bar.advance(1);
        }
        if (round === 0) disagreed = Math.max(disagreed, disagreements(passes[1]!, passes[2]!));
      }
      const [fullUs, earlyExitUs, compiledUs] = seconds.map((s) => (median(s) * 1e6) / n) as [number, number, number];
      const rowsIn = Math.min(batch, n);
      const stage = await measureStageTimes(engine, policy, images.subarray(0, rowsIn * shapeSize(engine.inputShape)), rowsIn, { repetitions: 5 });
      let total = 0;
      const exitUs = stage.stageSeconds.map((s, l) => {
        total += (s + stage.gateSeconds[l]!) * 1e6;
        return total;
      });
      rows.push({ batch, fullUs, earlyExitUs, compiledUs, earlyExitSpeedup: fullUs / earlyExitUs, compiledSpeedup: fullUs / compiledUs, exitUs });
    }
  } finally {
    bar.stop();
  }
  return { samples: n, passes: options.passes, rows, disagreements: disagreed };
}

/** The timing as a Markdown table. */
export function formatTiming(timing: AttachedTiming): string {
  const lines = [
    `${timing.samples} samples, onnxruntime-node, 1 thread; microseconds per sample, median of ${timing.passes} interleaved passes`,
    '',
    '| batch | full graph | JS-driven early exit | compiled early exit | JS speedup | compiled speedup | time to each exit |',
    '|---|---|---|---|---|---|---|',
    ...timing.rows.map(
      (r) =>
        `| ${r.batch} | ${r.fullUs.toFixed(1)} | ${r.earlyExitUs.toFixed(1)} | ${r.compiledUs.toFixed(1)} | ${r.earlyExitSpeedup.toFixed(2)}x | ${r.compiledSpeedup.toFixed(2)}x | ${r.exitUs.map((u) => u.toFixed(0)).join(' / ')} |`,
    ),
  ];
  if (timing.disagreements > 0) lines.push('', `WARNING: the JS-driven and compiled early exit disagree on ${timing.disagreements} samples`);
  return lines.join('\n');
}

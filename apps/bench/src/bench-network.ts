import { join } from 'node:path';
import { chooseOperatingPoint, fullModelAccuracy, sweepThresholds } from '@offramp/calibration';
import {
  collectTrace,
  computeExitCosts,
  createExitPolicy,
  defineGate,
  type ExitPolicy,
  impliedSpeedup,
  measureStageTimes,
  median,
  shapeSize,
  type StageTimes,
  timeExitCosts,
} from '@offramp/core';
import type { DatasetSplit } from '@offramp/data';
import { builtinGateRegistry } from '@offramp/gates';
import {
  CompiledEarlyExit,
  compileEarlyExit,
  type OnnxBundle,
  OnnxEngine,
  type OrtRuntime,
  type OrtSessionOptions,
} from '@offramp/onnx';
import {
  accuracyOf,
  compiledPass,
  earlyExitPass,
  fullModelPass,
  fusedChainPass,
  mean,
  type Pass,
  pooledEarlyExitPass,
  writeOnnxBundle,
} from '@offramp/onnx/node';
import { z } from 'zod';
import { measureCallOverhead } from './call-overhead.js';
import type { Progress } from './progress.js';
import { TimingEngine } from './timing-engine.js';

/** A gate that never lets a sample leave early: every stage and head runs, through the runner. */
const neverExitGate = defineGate({
  name: 'never-exit',
  description: 'Scores every sample 0, so with threshold 1 no sample exits before the last exit.',
  options: z.object({}),
  range: { min: 0, max: 1 },
  defaultThreshold: 1,
  macs: () => 0,
  score: () => (signal) => new Float32Array(signal.batch),
  // 0 for every row, as an ONNX graph: the compiled never-exit graph runs every stage, head and gate.
  onnx: () => (g, { probs }) => ({
    score: g.node('Mul', [g.node('ReduceMax', [probs], { axes: { ints: [1] }, keepdims: { int: 0 } }), g.constant(0, 'float32')]),
  }),
});

/** The gates the bench creates by name: the built-in ones and never-exit. */
const gates = builtinGateRegistry();
gates.register(neverExitGate);

export interface ModeResult {
  /** Median samples per second over the repetitions. */
  readonly samplesPerSecond: number;
  /** Samples per second of every repetition. */
  readonly runs: readonly number[];
  /** Median samples per CPU second of the process (robust to other jobs on the machine). */
  readonly cpuSamplesPerSecond: number;
  readonly accuracy: number;
  /** Mean MACs per sample. */
  readonly meanMacs: number;
}

/** Where the time of one instrumented early-exit pass went, as fractions of its wall time. */
export interface TimeBreakdown {
  readonly stageCalls: number;
  readonly headCalls: number;
  readonly compaction: number;
  readonly wrapInput: number;
  readonly runner: number;
  /** Session calls per sample (one fused stage+head graph per exit reached, over the batch). */
  readonly callsPerSample: number;
  /** Per stage: mean rows per call after compaction, and microseconds per row spent in its fused graph. */
  readonly perStage: readonly { readonly rowsPerCall: number; readonly microsecondsPerRow: number; readonly share: number }[];
}

/** Early exit with survivors pooled across batches (a stage runs once `minRows` rows wait). */
export interface PooledResult {
  readonly minRows: number;
  readonly mode: ModeResult;
  /** pooled / full throughput. */
  readonly speedup: number;
  readonly cpuSpeedup: number;
  /** speedup / MAC-implied speedup (the exits, so the MACs, are those of early exit). */
  readonly efficiency: number;
  /** Whether every sample's exit and prediction equal those of per-batch early exit. */
  readonly sameExits: boolean;
  /** Per stage, from an instrumented pass: rows per call, microseconds per row, share of the time. */
  readonly perStage: TimeBreakdown['perStage'];
  /** Share of the pooled pass spent joining rows of different batches. */
  readonly concat: number;
}

export interface BatchResult {
  readonly batch: number;
  readonly full: ModeResult;
  readonly early: ModeResult;
  readonly never: ModeResult;
  /** early / full throughput. */
  readonly speedup: number;
  /** The same ratios measured in CPU time of the process. */
  readonly cpu: { readonly speedup: number; readonly efficiency: number; readonly neverOverhead: number };
  /** Mean MACs of early exit / MACs of the full model (every stage + the last head). */
  readonly macRatio: number;
  readonly impliedSpeedup: number;
  /** speedup / impliedSpeedup. */
  readonly efficiency: number;
  /** Full-model accuracy minus early-exit accuracy, in percentage points. */
  readonly accuracyDrop: number;
  /** Time of never-exit / time of the full-model graph - 1. */
  readonly neverOverhead: number;
  /** Median samples per second of every fused graph chained with no runner (no gate, softmax, compaction). */
  readonly chainSamplesPerSecond: number;
  /** Part of the never-exit overhead from splitting the model into per-exit graphs (and their heads): chain vs full. */
  readonly splitOverhead: number;
  /** Part from the runner's own work: never-exit vs the chain. */
  readonly runnerOverhead: number;
  /** The same in MACs: (every stage and head) / (every stage and the last head) - 1. */
  readonly neverMacOverhead: number;
  /** Per-call overhead times the calls per sample, as a fraction of an early-exit sample's time. */
  readonly overheadShare: number;
  readonly breakdown: TimeBreakdown;
  /** Pooled early exit (measured at batch sizes > 1, with minRows = the batch size). */
  readonly pooled?: PooledResult;
  /** Early exit compiled into one ONNX graph, and the same graph with a gate that never fires. */
  readonly compiled: CompiledResultSummary;
  /** Per-row time of each stage+head and each gate at this batch size, measured on the engine (JS-driven). */
  readonly stageTimes: StageTimes;
  /**
   * The time-implied ceiling: the full graph's measured time per row over the mean measured time of
   * the exits taken (stage+head and gate times up to each sample's exit, from stageTimes).
   */
  readonly timeImpliedSpeedup: number;
}

export interface CompiledResultSummary {
  readonly early: ModeResult;
  readonly never: ModeResult;
  /** compiled early exit / full throughput. */
  readonly speedup: number;
  /** compiled never-exit time / full-graph time - 1. */
  readonly neverOverhead: number;
  /** speedup / the time-implied ceiling. */
  readonly ofTimeImplied: number;
  /** Whether every sample's exit and prediction equal those of the JS-driven runner. */
  readonly sameExits: boolean;
}

export interface NetworkResult {
  readonly name: string;
  readonly description: string;
  /** The onnxruntime build the network was timed on. */
  readonly runtime: string;
  readonly trainedFromCache: boolean;
  readonly stageMacs: readonly number[];
  readonly headMacs: readonly number[];
  readonly fullMacs: number;
  readonly gate: string;
  readonly threshold: number;
  readonly validation: { readonly fullAccuracy: number; readonly earlyAccuracy: number; readonly meanCost: number };
  readonly exitAccuracies: readonly number[];
  /** Test samples leaving at each exit. */
  readonly exitCounts: readonly number[];
  /** Seconds per session call of a one-node graph at batch 1. */
  readonly callOverheadSeconds: number;
  readonly batches: readonly BatchResult[];
}

export interface MeasureSettings {
  readonly batchSizes: readonly number[];
  readonly repetitions: number;
  /** Largest accuracy loss allowed when choosing the threshold on validation, as a fraction. */
  readonly maxDrop: number;
  readonly sessionOptions: OrtSessionOptions;
  readonly bundleDir?: string;
}

function modeResult(passes: readonly Pass[], n: number, labels: Int32Array): ModeResult {
  const runs = passes.map((p) => n / p.seconds);
  return {
    samplesPerSecond: median(runs),
    runs,
    cpuSamplesPerSecond: median(passes.map((p) => n / p.cpuSeconds)),
    accuracy: accuracyOf(passes[0]!.prediction, labels),
    meanMacs: mean(passes[0]!.macs),
  };
}

/** The number of progress ticks measureNetwork makes. */
export function progressTicks(settings: MeasureSettings): number {
  return 2 + settings.batchSizes.length * (settings.repetitions + 3);
}

/** A network ready to time: its bundle of ONNX graphs and where it came from. */
export interface BenchModel {
  readonly name: string;
  readonly description: string;
  readonly bundle: OnnxBundle;
  readonly trainedFromCache: boolean;
}

/** An onnxruntime build to time on, and its name in the report. */
export interface NamedRuntime {
  readonly name: string;
  readonly runtime: OrtRuntime;
}

/**
 * Exports a trained network to ONNX, picks the max-prob threshold on validation (the cheapest
 * within maxDrop of the full model), then times on the test set, at each batch size and over
 * several repetitions: the single full-model graph, real early exit, and early exit that never exits.
 */
export async function measureNetwork(
  network: BenchModel,
  split: DatasetSplit,
  { name: runtimeName, runtime }: NamedRuntime,
  settings: MeasureSettings,
  progress: Progress,
): Promise<NetworkResult> {
  const { bundle, trainedFromCache } = network;
  const classes = bundle.manifest.classes;
  const engine = await OnnxEngine.create(runtime, bundle, { sessionOptions: settings.sessionOptions });
  const compiledModels: CompiledEarlyExit[] = [];
  try {
    const exits = engine.exits;
    const gate = gates.create('max-prob', { exits, classes: classes });
    const costs = computeExitCosts({
      stageMacs: bundle.manifest.macs.stages,
      headMacs: bundle.manifest.macs.heads,
      gateMacs: Array.from({ length: exits }, (_, l) => gate.macs(l)),
    });
    const { validation, test } = split;
    const valTrace = await collectTrace(engine, validation.images, validation.n);
    const curve = sweepThresholds(valTrace, gate, costs, validation.labels);
    const fullVal = fullModelAccuracy(valTrace, validation.labels);
    const point = chooseOperatingPoint(curve, { reference: fullVal, maxDrop: settings.maxDrop })!;
    const threshold = point.fullModel ? gate.range.max : point.threshold;
    progress.tick(`${network.name}: threshold chosen`);
    if (settings.bundleDir) {
      await writeOnnxBundle(join(settings.bundleDir, network.name), {
        ...bundle,
        manifest: {
          ...bundle.manifest,
          policy: { gate: gate.name, thresholds: new Array<number>(exits - 1).fill(threshold) },
        },
      });
    }
    const testTrace = await collectTrace(engine, test.images, test.n);
    const exitAccuracies = testTrace.probs.map((_, l) => {
      const pred = new Int32Array(test.n);
      for (let i = 0; i < test.n; i++) {
        const row = testTrace.probs[l]!.subarray(i * classes, (i + 1) * classes);
        pred[i] = row.indexOf(Math.max(...row));
      }
      return accuracyOf(pred, test.labels);
    });
    const callOverheadSeconds = await measureCallOverhead(runtime, settings.sessionOptions);
    progress.tick(`${network.name}: call overhead`);

    const earlyPolicy = createExitPolicy({ gate, thresholds: threshold, costs });
    const neverPolicy = createExitPolicy({ gate: gates.create('never-exit', { exits, classes }), thresholds: 1, costs });
    const open = async (policy: ExitPolicy) => {
      const model = await CompiledEarlyExit.create(runtime, compileEarlyExit(bundle, policy), settings.sessionOptions);
      compiledModels.push(model);
      return model;
    };
    const compiledEarly = await open(earlyPolicy);
    const compiledNever = await open(neverPolicy);
    const perSample = shapeSize(bundle.manifest.inputShape);
    const n = test.n;
    const batches: BatchResult[] = [];
    let exitCounts: number[] = [];
    for (const batch of settings.batchSizes) {
      const full: Pass[] = [];
      const early: Pass[] = [];
      const never: Pass[] = [];
      const chain: { seconds: number; cpuSeconds: number }[] = [];
      const pooled: Pass[] = [];
      const compiled: Pass[] = [];
      const compiledNeverPasses: Pass[] = [];
      const pool = batch > 1;
      // Warm-up: first calls at a new batch shape allocate.
      await fullModelPass(engine, test.images, n, batch, costs.backboneMacs);
      await earlyExitPass(engine, earlyPolicy, test.images, n, batch);
      if (pool) await pooledEarlyExitPass(engine, earlyPolicy, test.images, n, batch, batch);
      await compiledPass(compiledEarly, test.images, n, batch, costs);
      await compiledPass(compiledNever, test.images, n, batch, costs);
      progress.tick(`${network.name} batch ${batch}: warm-up`);
      for (let r = 0; r < settings.repetitions; r++) {
        full.push(await fullModelPass(engine, test.images, n, batch, costs.backboneMacs));
        early.push(await earlyExitPass(engine, earlyPolicy, test.images, n, batch));
        never.push(await earlyExitPass(engine, neverPolicy, test.images, n, batch));
        chain.push(await fusedChainPass(engine, test.images, n, batch));
        if (pool) pooled.push(await pooledEarlyExitPass(engine, earlyPolicy, test.images, n, batch, batch));
        compiled.push(await compiledPass(compiledEarly, test.images, n, batch, costs));
        compiledNeverPasses.push(await compiledPass(compiledNever, test.images, n, batch, costs));
        progress.tick(`${network.name} batch ${batch}: repetition ${r + 1}/${settings.repetitions}`);
      }
      const timing = new TimingEngine(engine);
      const timed = await earlyExitPass(timing, earlyPolicy, test.images, n, batch);
      progress.tick(`${network.name} batch ${batch}: time breakdown`);
      const t = timing.times;
      const breakdown: TimeBreakdown = {
        stageCalls: t.runStage / timed.seconds,
        headCalls: t.runHead / timed.seconds,
        compaction: t.take / timed.seconds,
        wrapInput: t.fromHost / timed.seconds,
        runner: Math.max(0, 1 - (t.runStage + t.runHead + t.take + t.fromHost + t.toHost) / timed.seconds),
        callsPerSample: t.stageCalls / n,
        perStage: t.perStage.map((s) => ({
          rowsPerCall: s.calls > 0 ? s.rows / s.calls : 0,
          microsecondsPerRow: s.rows > 0 ? (s.seconds / s.rows) * 1e6 : 0,
          share: s.seconds / timed.seconds,
        })),
      };
      exitCounts = Array.from({ length: exits }, (_, l) => early[0]!.exit.filter((e) => e === l).length);
      const fullMode = modeResult(full, n, test.labels);
      const earlyMode = modeResult(early, n, test.labels);
      const neverMode = modeResult(never, n, test.labels);
      const macRatio = earlyMode.meanMacs / costs.backboneMacs;
      const speedup = earlyMode.samplesPerSecond / fullMode.samplesPerSecond;
      const cpuSpeedup = earlyMode.cpuSamplesPerSecond / fullMode.cpuSamplesPerSecond;
      const chainRate = median(chain.map((c) => n / c.seconds));
      let pooledResult: PooledResult | undefined;
      if (pool) {
        const pooledTiming = new TimingEngine(engine);
        const pooledTimed = await pooledEarlyExitPass(pooledTiming, earlyPolicy, test.images, n, batch, batch);
        const pt = pooledTiming.times;
        const mode = modeResult(pooled, n, test.labels);
        const first = pooled[0]!;
        const pooledSpeedup = mode.samplesPerSecond / fullMode.samplesPerSecond;
        pooledResult = {
          minRows: batch,
          mode,
          speedup: pooledSpeedup,
          cpuSpeedup: mode.cpuSamplesPerSecond / fullMode.cpuSamplesPerSecond,
          efficiency: pooledSpeedup * (mode.meanMacs / costs.backboneMacs),
          sameExits:
            first.exit.every((e, i) => e === early[0]!.exit[i]) &&
            first.prediction.every((p, i) => p === early[0]!.prediction[i]),
          perStage: pt.perStage.map((st) => ({
            rowsPerCall: st.calls > 0 ? st.rows / st.calls : 0,
            microsecondsPerRow: st.rows > 0 ? (st.seconds / st.rows) * 1e6 : 0,
            share: st.seconds / pooledTimed.seconds,
          })),
          concat: pt.concat / pooledTimed.seconds,
        };
      }
      const stageTimes = await measureStageTimes(engine, earlyPolicy, test.images.subarray(0, batch * perSample), batch, {
        repetitions: settings.repetitions * 3,
      });
      progress.tick(`${network.name} batch ${batch}: stage times`);
      const timeImplied = impliedSpeedup(timeExitCosts(stageTimes), early[0]!.exit, 1 / fullMode.samplesPerSecond);
      const compiledMode = modeResult(compiled, n, test.labels);
      const compiledNeverMode = modeResult(compiledNeverPasses, n, test.labels);
      const compiledSpeedup = compiledMode.samplesPerSecond / fullMode.samplesPerSecond;
      batches.push({
        batch,
        compiled: {
          early: compiledMode,
          never: compiledNeverMode,
          speedup: compiledSpeedup,
          neverOverhead: fullMode.samplesPerSecond / compiledNeverMode.samplesPerSecond - 1,
          ofTimeImplied: compiledSpeedup / timeImplied,
          sameExits:
            compiled[0]!.exit.every((e, i) => e === early[0]!.exit[i]) &&
            compiled[0]!.prediction.every((p, i) => p === early[0]!.prediction[i]),
        },
        stageTimes,
        timeImpliedSpeedup: timeImplied,
        full: fullMode,
        early: earlyMode,
        never: neverMode,
        speedup,
        macRatio,
        impliedSpeedup: 1 / macRatio,
        efficiency: speedup * macRatio,
        accuracyDrop: (fullMode.accuracy - earlyMode.accuracy) * 100,
        neverOverhead: fullMode.samplesPerSecond / neverMode.samplesPerSecond - 1,
        cpu: {
          speedup: cpuSpeedup,
          efficiency: cpuSpeedup * macRatio,
          neverOverhead: fullMode.cpuSamplesPerSecond / neverMode.cpuSamplesPerSecond - 1,
        },
        chainSamplesPerSecond: chainRate,
        splitOverhead: fullMode.samplesPerSecond / chainRate - 1,
        runnerOverhead: chainRate / neverMode.samplesPerSecond - 1,
        neverMacOverhead: neverMode.meanMacs / costs.backboneMacs - 1,
        overheadShare: breakdown.callsPerSample * callOverheadSeconds * earlyMode.samplesPerSecond,
        breakdown,
        ...(pooledResult ? { pooled: pooledResult } : {}),
      });
    }
    return {
      name: network.name,
      description: network.description,
      runtime: runtimeName,
      trainedFromCache,
      stageMacs: costs.stageMacs,
      headMacs: costs.headMacs,
      fullMacs: costs.backboneMacs,
      gate: gate.name,
      threshold,
      validation: { fullAccuracy: fullVal, earlyAccuracy: point.accuracy, meanCost: point.meanCost },
      exitAccuracies,
      exitCounts,
      callOverheadSeconds,
      batches,
    };
  } finally {
    for (const model of compiledModels) await model.release();
    await engine.release();
  }
}

import { TfjsEngine } from '@offramp/backbones';
import { fullModelAccuracy, sweepThresholds } from '@offramp/calibration';
import {
  computeExitCosts,
  type ExitCosts,
  type ExitSummary,
  evaluateTrace,
  type Gate,
  oracleExits,
  resultFromExits,
  runEarlyExit,
  summarizeExits, createExitPolicy
} from '@offramp/core';
import { builtinGateRegistry } from '@offramp/gates';
import { createHiddenStateGates, createJeiGates } from '@offramp/gates/training';
import {
  cacheStageFeatures,
  type FeatureCache,
  headAccuracies,
  jeiLambdaSweep,
  traceFromCache,
  trainHiddenStateGates,
  warmupHeads,
} from '@offramp/train';
import { join } from 'node:path';
import { type BackboneSettings, trainOrLoadNetworkBackbone } from './backbone.js';
import { type DatasetName, loadSplit, type SplitSizes } from './datasets.js';
import {
  bestUnderBudget,
  evaluatePolicy,
  evaluateThresholdGate,
  type LabelledTrace,
  type PolicyOutcome,
  type ThresholdGateReport,
} from './evaluate-policy.js';
import { ARCHITECTURE, createNetwork, type Network } from './network.js';

export interface ExperimentOptions {
  readonly dataset: DatasetName;
  readonly sizes: SplitSizes;
  readonly seed: number;
  readonly backbone: BackboneSettings;
  readonly warmup: { readonly maxEpochs: number; readonly learningRate: number };
  readonly jei: {
    readonly lambdas: readonly number[];
    readonly epochs: number;
    readonly batchSize: number;
    readonly switchEvery: number;
    readonly learningRate: number;
    readonly weighting: 'paper' | 'released';
    readonly rhoCounts: 'target-exit' | 'positives';
  };
  readonly hiddenGateEpochs: number;
  readonly alphas: readonly number[];
  readonly maxDrop: number;
  readonly cacheDir: string;
  readonly progress: boolean;
  readonly log: (line: string) => void;
}

/** A baseline gate at the cost of a JEI network: threshold chosen on validation under JEI's validation cost. */
export interface MatchedBaseline {
  readonly gate: string;
  readonly threshold: number | null;
  readonly test: { readonly accuracy: number; readonly meanCostVsBackbone: number } | null;
}

export interface JeiReport {
  readonly lambda: number;
  readonly outcome: PolicyOutcome;
  /** Oracle with this network's heads (test). */
  readonly oracle: ExitSummary;
  /** Test accuracy of each head of this network. */
  readonly exitAccuracy: number[];
  /** Each baseline at (at most) this network's validation cost. */
  readonly matched: MatchedBaseline[];
  readonly epochs: { readonly rho: number[]; readonly targetCounts: number[]; readonly gateLoss: number; readonly headLoss: number }[];
  readonly gateWeights: { readonly weights: number[][]; readonly biases: number[] };
  /** Real early exit (batches of 128) vs trace evaluation on the test set, for one lambda. */
  readonly runnerAgreement: { readonly agreed: number; readonly samples: number } | null;
}

export interface ExperimentReport {
  readonly dataset: DatasetName;
  readonly note: string;
  readonly sizes: SplitSizes;
  readonly seed: number;
  readonly macs: { readonly stageMacs: number[]; readonly headMacs: number[]; readonly backboneMacs: number };
  readonly backboneFromCache: boolean;
  readonly warmup: { readonly bestEpoch: number[]; readonly validationAccuracy: number[]; readonly testExitAccuracy: number[] };
  readonly fullModel: { readonly accuracy: number; readonly validationAccuracy: number };
  readonly oracle: ExitSummary;
  readonly baselines: (Omit<ThresholdGateReport, 'validationCurve'> & { readonly kind: 'threshold' | 'learned' })[];
  readonly jei: JeiReport[];
  readonly seconds: number;
}

const RUNNER_CHECK_LAMBDA = 0.7;

function gateCosts(gate: Gate, stageMacs: readonly number[], headMacs: readonly number[]): ExitCosts {
  return computeExitCosts({ stageMacs, headMacs, gateMacs: stageMacs.map((_, l) => gate.macs(l)) });
}

async function runnerAgreement(network: Network, gate: Gate, costs: ExitCosts, images: Float32Array, expected: Int32Array[]): Promise<{ agreed: number; samples: number }> {
  const engine = new TfjsEngine({ stages: network.backbone.stages, heads: network.heads, inputShape: ARCHITECTURE.inputShape, classes: ARCHITECTURE.classes });
  const [exits, predictions] = expected as [Int32Array, Int32Array];
  const n = exits.length;
  const perSample = images.length / n;
  let agreed = 0;
  for (let start = 0; start < n; start += 128) {
    const count = Math.min(128, n - start);
    const result = await runEarlyExit(engine, createExitPolicy({ gate, thresholds: 0.5, costs }), images.subarray(start * perSample, (start + count) * perSample), count);
    for (let i = 0; i < count; i++) if (result.exit[i] === exits[start + i] && result.prediction[i] === predictions[start + i]) agreed++;
  }
  return { agreed, samples: n };
}

/** One data set: backbone, warm-up, baselines, the JEI-DNN lambda sweep. */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentReport> {
  const started = Date.now();
  const { log, dataset } = options;
  const { split, note } = await loadSplit(dataset, options.sizes, options.seed, options.cacheDir);
  log(`${note}; split ${split.train.n} / ${split.validation.n} / ${split.test.n} (seed ${options.seed})`);
  const network = createNetwork(dataset, options.seed);
  try {
    const backbone = await trainOrLoadNetworkBackbone(network, dataset, split.train, options.backbone, options.cacheDir);
    log(backbone.fromCache ? `backbone loaded from ${backbone.path}` : `backbone trained and cached at ${backbone.path}`);

    const stages = network.backbone.stages;
    const cache = async (data: typeof split.train): Promise<FeatureCache> => cacheStageFeatures(stages, data, ARCHITECTURE.inputShape);
    const caches = { train: await cache(split.train), validation: await cache(split.validation), test: await cache(split.test) };
    const exits = network.heads.length;
    const trainable = network.heads.map((_, l) => l < exits - 1);

    const warm = await warmupHeads({
      heads: network.heads,
      trainable,
      train: caches.train,
      validation: caches.validation,
      maxEpochs: options.warmup.maxEpochs,
      learningRate: options.warmup.learningRate,
      batchSize: options.jei.batchSize,
      seed: options.seed,
      progress: options.progress ? `${dataset} warm-up` : false,
    });
    log(`[${((Date.now() - started) / 1000).toFixed(0)} s] warm-up: best epochs ${warm.bestEpoch.join(' / ')}, validation accuracy ${warm.bestAccuracy.map((a) => (100 * a).toFixed(2)).join(' / ')} %`);

    const classes = ARCHITECTURE.classes;
    const validation: LabelledTrace = { trace: await traceFromCache(caches.validation, network.heads, classes, { hidden: true }), labels: split.validation.labels };
    const test: LabelledTrace = { trace: await traceFromCache(caches.test, network.heads, classes, { hidden: true }), labels: split.test.labels };
    const stageMacs = [...network.backbone.stageMacs];
    const headMacs = network.heads.map((h) => h.macs);
    const plain = computeExitCosts({ stageMacs, headMacs });
    const reference = fullModelAccuracy(validation.trace, validation.labels);
    const context = { exits, classes, hiddenSizes: caches.train.shapes.map((s) => s.reduce((a, b) => a * b, 1)) };

    const registry = builtinGateRegistry();
    const thresholdGates = (['max-prob', 'entropy', 'margin', 'power-entropy'] as const).map((name) => registry.create(name, context));
    const hiddenGates = createHiddenStateGates({ hiddenSizes: context.hiddenSizes.slice(0, -1), seed: options.seed, name: `${dataset}-hidden-gates` });
    let hiddenGate: Gate;
    try {
      await trainHiddenStateGates({
        gates: hiddenGates,
        heads: network.heads,
        train: caches.train,
        epochs: options.hiddenGateEpochs,
        batchSize: options.jei.batchSize,
        seed: options.seed,
        progress: options.progress ? `${dataset} hidden-state gate` : false,
      });
      hiddenGate = registry.create({ name: 'hidden-state', options: hiddenGates.exportWeights() }, context);
    } finally {
      hiddenGates.dispose();
    }
    const baselineGates: [Gate, 'threshold' | 'learned'][] = [...thresholdGates.map((g): [Gate, 'threshold'] => [g, 'threshold']), [hiddenGate, 'learned']];
    const baselineReports = baselineGates.map(([gate, kind]) => ({
      kind,
      report: evaluateThresholdGate(gate, gateCosts(gate, stageMacs, headMacs), validation, test, reference, options.maxDrop, options.alphas),
    }));
    const oracle = summarizeExits(resultFromExits(test.trace, oracleExits(test.trace, test.labels), plain), plain, test.labels);

    const untrainedJei = { weights: new Array(exits - 1).fill([0, 0, 0, 0]), biases: new Array(exits - 1).fill(0) };
    const jeiCosts = gateCosts(registry.create({ name: 'jei', options: untrainedJei }, context), stageMacs, headMacs);
    const jeiReports: JeiReport[] = [];
    await jeiLambdaSweep({
      heads: network.heads,
      trainable,
      train: caches.train,
      validation: caches.validation,
      costs: jeiCosts.normalized,
      lambdas: options.jei.lambdas,
      epochs: options.jei.epochs,
      batchSize: options.jei.batchSize,
      switchEvery: options.jei.switchEvery,
      learningRate: options.jei.learningRate,
      weighting: options.jei.weighting,
      rhoCounts: options.jei.rhoCounts,
      seed: options.seed,
      checkpointDir: join(options.cacheDir, `${dataset}-jei`),
      progress: options.progress,
      createGates: (k) => createJeiGates({ exits, seed: options.seed + 1000 + k, name: `${dataset}-jei-gates-${k}` }),
      onNetwork: async (trained) => {
        const v: LabelledTrace = { trace: await traceFromCache(caches.validation, network.heads, classes), labels: validation.labels };
        const t: LabelledTrace = { trace: await traceFromCache(caches.test, network.heads, classes), labels: test.labels };
        const gate = registry.create({ name: 'jei', options: trained.gateWeights }, context);
        const { testExits, ...outcome } = evaluatePolicy(gate, 0.5, jeiCosts, v, t, options.alphas);
        const budget = outcome.validation.meanCostVsBackbone;
        const matched = baselineReports.map(({ report }, b): MatchedBaseline => {
          const point = bestUnderBudget(report.validationCurve, budget);
          if (!point) return { gate: report.gate, threshold: null, test: null };
          const gateB = baselineGates[b]![0];
          const costsB = gateCosts(gateB, stageMacs, headMacs);
          const result = point.fullModel
            ? resultFromExits(test.trace, new Int32Array(test.trace.n).fill(exits - 1), costsB)
            : evaluateTrace(test.trace, gateB, point.threshold, costsB);
          const summary = summarizeExits(result, costsB, test.labels);
          return { gate: report.gate, threshold: point.fullModel ? null : point.threshold, test: { accuracy: summary.accuracy!, meanCostVsBackbone: summary.meanCostVsBackbone } };
        });
        // the same comparison with max-prob on this network's own (JEI-trained) heads: separates gate from heads
        const maxProb = thresholdGates[0]!;
        const maxProbCosts = gateCosts(maxProb, stageMacs, headMacs);
        const ownPoint = bestUnderBudget(sweepThresholds(v.trace, maxProb, maxProbCosts, v.labels), budget);
        if (ownPoint) {
          const result = ownPoint.fullModel
            ? resultFromExits(t.trace, new Int32Array(t.trace.n).fill(exits - 1), maxProbCosts)
            : evaluateTrace(t.trace, maxProb, ownPoint.threshold, maxProbCosts);
          const summary = summarizeExits(result, maxProbCosts, t.labels);
          matched.push({
            gate: 'max-prob, JEI heads',
            threshold: ownPoint.fullModel ? null : ownPoint.threshold,
            test: { accuracy: summary.accuracy!, meanCostVsBackbone: summary.meanCostVsBackbone },
          });
        } else {
          matched.push({ gate: 'max-prob, JEI heads', threshold: null, test: null });
        }
        const jeiResult = evaluateTrace(t.trace, gate, 0.5, jeiCosts);
        const agreement =
          trained.lambda === RUNNER_CHECK_LAMBDA
            ? await runnerAgreement(network, gate, jeiCosts, split.test.images, [testExits, jeiResult.prediction])
            : null;
        jeiReports.push({
          lambda: trained.lambda,
          outcome,
          oracle: summarizeExits(resultFromExits(t.trace, oracleExits(t.trace, t.labels), plain), plain, t.labels),
          exitAccuracy: await headAccuracies(caches.test, network.heads, classes),
          matched,
          epochs: trained.log.map((e) => ({ rho: e.rho, targetCounts: e.targetCounts, gateLoss: e.gateLoss, headLoss: e.headLoss })),
          gateWeights: trained.gateWeights,
          runnerAgreement: agreement,
        });
        log(
          `[${((Date.now() - started) / 1000).toFixed(0)} s] lambda ${trained.lambda}: test accuracy ${(100 * (outcome.test.accuracy ?? 0)).toFixed(2)} %, cost ${outcome.test.meanCostVsBackbone.toFixed(3)} of the backbone, exits ${outcome.test.exitCounts.join(' / ')}`,
        );
      },
    });

    return {
      dataset,
      note,
      sizes: options.sizes,
      seed: options.seed,
      macs: { stageMacs, headMacs, backboneMacs: plain.backboneMacs },
      backboneFromCache: backbone.fromCache,
      warmup: { bestEpoch: warm.bestEpoch, validationAccuracy: warm.bestAccuracy, testExitAccuracy: await headAccuracies(caches.test, network.heads, classes) },
      fullModel: { accuracy: fullModelAccuracy(test.trace, test.labels), validationAccuracy: reference },
      oracle,
      baselines: baselineReports.map(({ kind, report }) => {
        const { validationCurve: _, ...rest } = report;
        return { kind, ...rest };
      }),
      jei: jeiReports,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    network.dispose();
  }
}

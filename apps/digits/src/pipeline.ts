import { join } from 'node:path';
import { TfjsEngine } from '@offramp/backbones';
import { exitAccuracies, fullModelAccuracy } from '@offramp/calibration';
import {
  collectTrace,
  computeExitCosts,
  GateRegistry,
  oracleExits,
  resultFromExits,
  summarizeExits,
} from '@offramp/core';
import { writeFileAtomic, writeNetworkConfig } from '@offramp/core/node';
import { loadMnistDigits, MNIST_DIGITS_SPLIT, splitDataset } from '@offramp/data';
import { registerBuiltinGates } from '@offramp/gates';
import { agreeingConfidenceGate } from './custom-gate.js';
import { conformalSets } from './conformal-sets.js';
import { evaluateGate, type GateReport, gateCosts, type SplitTraces } from './evaluate-gate.js';
import { calibrateExits } from './exit-calibration.js';
import { createDigitsNetwork, DIGITS_ARCHITECTURE } from './network.js';
import { digitsNetworkConfig } from './network-config.js';
import { accuracyCostSvg, reliabilitySvg } from './plot.js';
import type { DigitsReport } from './report.js';
import { calibrationTable, conformalTable, resultsTable, riskControlTable } from './report.js';
import { type RiskControlledReport, type RiskControlSettings, riskControlledGate } from './risk-controlled.js';
import { type TrainSettings, trainEarlyHeads, trainOrLoadDigitsBackbone } from './train-network.js';

export interface DigitsOptions extends TrainSettings {
  readonly sizes: { readonly train: number; readonly validation: number; readonly test: number };
  readonly maxDrop: number;
  /** Learn-then-Test settings of the risk-controlled thresholds (chosen on validation for every gate). */
  readonly riskControl: RiskControlSettings;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly log: (line: string) => void;
}

export const DEFAULT_DIGITS_OPTIONS: Omit<DigitsOptions, 'cacheDir' | 'outDir' | 'log'> = {
  sizes: MNIST_DIGITS_SPLIT,
  epochs: 8,
  headEpochs: 8,
  batchSize: 64,
  seed: 7,
  progress: true,
  maxDrop: 0.005,
  riskControl: { risk: 'error-increase', epsilon: 0.01, delta: 0.1 },
};

/** The main job: train (or load) the network, trace validation and test, evaluate every gate, write the report. */
export async function runDigits(options: DigitsOptions): Promise<DigitsReport> {
  const { log } = options;
  const all = await loadMnistDigits();
  const split = splitDataset(all, { ...options.sizes, seed: options.seed });
  log(`MNIST digits: ${split.train.n} train / ${split.validation.n} validation / ${split.test.n} test (seed ${options.seed})`);

  const network = createDigitsNetwork(options.seed);
  try {
    const backbone = await trainOrLoadDigitsBackbone(network, split.train, options, options.cacheDir);
    log(backbone.fromCache ? `backbone loaded from ${backbone.path}` : `backbone trained and cached at ${backbone.path}`);
    const headLosses = await trainEarlyHeads(network, split.train, options);

    const engine = new TfjsEngine({
      stages: network.backbone.stages,
      heads: network.heads,
      inputShape: DIGITS_ARCHITECTURE.inputShape,
      classes: DIGITS_ARCHITECTURE.classes,
    });
    const validationTrace = await collectTrace(engine, split.validation.images, split.validation.n);
    const testTrace = await collectTrace(engine, split.test.images, split.test.n);

    const stageMacs = network.backbone.stageMacs;
    const headMacs = network.heads.map((h) => h.macs);
    const baseCosts = computeExitCosts({ stageMacs, headMacs });
    const reference = {
      validation: fullModelAccuracy(validationTrace, split.validation.labels),
      test: fullModelAccuracy(testTrace, split.test.labels),
    };

    const registry = new GateRegistry();
    registerBuiltinGates(registry);
    registry.register(agreeingConfidenceGate);
    const context = { exits: engine.exits, classes: engine.classes };
    const splits: SplitTraces = {
      validation: { trace: validationTrace, labels: split.validation.labels },
      test: { trace: testTrace, labels: split.test.labels, images: split.test.images },
    };
    const gates: GateReport[] = [];
    const riskControlled: RiskControlledReport[] = [];
    for (const name of registry.list()) {
      const gate = registry.create(name, context);
      gates.push(await evaluateGate(gate, splits, { stageMacs, headMacs }, reference, options.maxDrop, engine));
      for (const mode of ['shared', 'per-exit'] as const) {
        riskControlled.push(await riskControlledGate(gate, splits, { stageMacs, headMacs }, options.riskControl, mode, engine));
      }
    }

    const maxProb = registry.create('max-prob', context);
    const maxProbThreshold = gates.find((g) => g.gate === 'max-prob')?.threshold ?? null;
    const conformal =
      maxProbThreshold === null
        ? null
        : conformalSets(maxProb, maxProbThreshold, gateCosts(maxProb, stageMacs, headMacs), splits, [0.01, 0.05, 0.1]);

    const report: DigitsReport = {
      data: { ...options.sizes, seed: options.seed },
      training: { backboneFromCache: backbone.fromCache, backboneLosses: backbone.losses, headLosses },
      macs: { stageMacs, headMacs, backboneMacs: baseCosts.backboneMacs },
      exitAccuracy: {
        validation: exitAccuracies(validationTrace, split.validation.labels),
        test: exitAccuracies(testTrace, split.test.labels),
      },
      maxDrop: options.maxDrop,
      fullModel: {
        accuracy: reference.test,
        meanCost: baseCosts.backboneMacs / baseCosts.cumulativeMacs[baseCosts.exits - 1]!,
        meanMacs: baseCosts.backboneMacs,
      },
      oracle: summarizeExits(
        resultFromExits(testTrace, oracleExits(testTrace, split.test.labels), baseCosts),
        baseCosts,
        split.test.labels,
      ),
      gates,
      riskControlled,
      calibration: calibrateExits(splits.validation, splits.test),
      conformal,
    };
    await writeReport(report, options.outDir, log);
    await writeNetworkConfig(join(options.outDir, 'network.json'), digitsNetworkConfig(gates, { stageMacs, headMacs }, registry));
    return report;
  } finally {
    network.dispose();
  }
}

async function writeReport(report: DigitsReport, outDir: string, log: (line: string) => void): Promise<void> {
  const table = resultsTable(report);
  const svg = await accuracyCostSvg({
    gates: report.gates,
    fullModel: { accuracy: report.fullModel.accuracy, meanCost: 1 },
    oracle: { accuracy: report.oracle.accuracy ?? 0, meanCost: report.oracle.meanCostVsBackbone },
  });
  await writeFileAtomic(join(outDir, 'digits.json'), `${JSON.stringify(report, null, 2)}\n`);
  const calibration = calibrationTable(report);
  const risk = riskControlTable(report);
  const sets = conformalTable(report);
  await writeFileAtomic(join(outDir, 'digits.md'), `${table}\n\n${calibration}\n\n${risk}\n\n${sets}\n`);
  await writeFileAtomic(join(outDir, 'digits-accuracy-cost.svg'), svg);
  await writeFileAtomic(join(outDir, 'digits-reliability.svg'), await reliabilitySvg(report.calibration));
  log(`\nexit accuracy (test): ${report.exitAccuracy.test.map((a) => (100 * a).toFixed(2)).join(' / ')} %`);
  log(`MACs per stage: ${report.macs.stageMacs.join(' / ')}; per head: ${report.macs.headMacs.join(' / ')}\n`);
  log(table);
  log(`\n${calibration}\n\n${risk}\n\n${sets}`);
  log(`\nwrote ${join(outDir, 'digits.json')}, digits.md, digits-accuracy-cost.svg, digits-reliability.svg and network.json`);
}

import { join } from 'node:path';
import { exitAccuracies, fullModelAccuracy } from '@offramp/calibration';
import {
  collectTrace,
  computeExitCosts,
  GateRegistry,
  oracleExits,
  policyFromConfig,
  resultFromExits,
  summarizeExits,
} from '@offramp/core';
import { readNetworkConfig, writeFileAtomic, writeNetworkConfig } from '@offramp/core/node';
import { loadMnistDigits, MNIST_DIGITS_SPLIT, splitDataset } from '@offramp/data';
import { registerBuiltinGates, ruleGates } from '@offramp/gates';
import { agreeingConfidenceGate } from './custom-gate.js';
import { conformalSets } from './conformal-sets.js';
import { checkRunner, evaluateGate, type GateReport, gateCosts, type SplitTraces } from './evaluate-gate.js';
import { calibrateExits } from './exit-calibration.js';
import { createDigitsNetwork } from './network.js';
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

  const registry = new GateRegistry();
  registerBuiltinGates(registry);
  registry.register(agreeingConfidenceGate);
  const network = createDigitsNetwork(options.seed, registry);
  try {
    const backbone = await trainOrLoadDigitsBackbone(network, split.train, options, options.cacheDir);
    log(backbone.fromCache ? `backbone loaded from ${backbone.path}` : `backbone trained and cached at ${backbone.path}`);
    const headLosses = await trainEarlyHeads(network, split.train, options);

    const { engine } = network;
    const validationTrace = await collectTrace(engine, split.validation.images, split.validation.n);
    const testTrace = await collectTrace(engine, split.test.images, split.test.n);

    const stageMacs = network.backbone.stageMacs;
    const headMacs = network.heads.map((h) => h.macs);
    const baseCosts = computeExitCosts({ stageMacs, headMacs });
    const reference = {
      validation: fullModelAccuracy(validationTrace, split.validation.labels),
      test: fullModelAccuracy(testTrace, split.test.labels),
    };

    const context = { exits: engine.exits, classes: engine.classes };
    const splits: SplitTraces = {
      validation: { trace: validationTrace, labels: split.validation.labels },
      test: { trace: testTrace, labels: split.test.labels, images: split.test.images },
    };
    const gates: GateReport[] = [];
    const riskControlled: RiskControlledReport[] = [];
    // The rule gates and the custom one: the learned gates in the registry need trained weights.
    const compared = [...ruleGates, agreeingConfidenceGate].map((plugin) => plugin.name).sort();
    for (const name of compared) {
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

    const report: Omit<DigitsReport, 'configRoundTrip'> = {
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
    const configPath = join(options.outDir, 'network.json');
    await writeNetworkConfig(configPath, digitsNetworkConfig(gates, { stageMacs, headMacs }, registry));
    // The config written is read back and run: its policy, resolved on the trained network, must
    // give the max-prob row's exits and predictions sample for sample.
    const saved = await readNetworkConfig(configPath, registry);
    const configRoundTrip = await checkRunner(engine, policyFromConfig(saved, registry), splits.test);
    log(`network.json read back and run: ${configRoundTrip.agreed}/${configRoundTrip.samples} samples as the trace gives`);
    const complete = { ...report, configRoundTrip };
    await writeReport(complete, options.outDir, log);
    return complete;
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

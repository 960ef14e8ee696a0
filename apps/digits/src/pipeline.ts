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
import { evaluateGate, type GateReport } from './evaluate-gate.js';
import { createDigitsNetwork, DIGITS_ARCHITECTURE } from './network.js';
import { digitsNetworkConfig } from './network-config.js';
import { accuracyCostSvg } from './plot.js';
import type { DigitsReport } from './report.js';
import { resultsTable } from './report.js';
import { type TrainSettings, trainEarlyHeads, trainOrLoadBackbone } from './train-network.js';

export interface DigitsOptions extends TrainSettings {
  readonly sizes: { readonly train: number; readonly validation: number; readonly test: number };
  readonly maxDrop: number;
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
};

/** The main job: train (or load) the network, trace validation and test, evaluate every gate, write the report. */
export async function runDigits(options: DigitsOptions): Promise<DigitsReport> {
  const { log } = options;
  const all = await loadMnistDigits();
  const split = splitDataset(all, { ...options.sizes, seed: options.seed });
  log(`MNIST digits: ${split.train.n} train / ${split.validation.n} validation / ${split.test.n} test (seed ${options.seed})`);

  const network = createDigitsNetwork(options.seed);
  try {
    const backbone = await trainOrLoadBackbone(network, split.train, options, options.cacheDir);
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
    const gates: GateReport[] = [];
    for (const name of registry.list()) {
      const gate = registry.create(name, context);
      gates.push(
        await evaluateGate(
          gate,
          {
            validation: { trace: validationTrace, labels: split.validation.labels },
            test: { trace: testTrace, labels: split.test.labels, images: split.test.images },
          },
          { stageMacs, headMacs },
          reference,
          options.maxDrop,
          engine,
        ),
      );
    }

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
  await writeFileAtomic(join(outDir, 'digits.md'), `${table}\n`);
  await writeFileAtomic(join(outDir, 'digits-accuracy-cost.svg'), svg);
  log(`\nexit accuracy (test): ${report.exitAccuracy.test.map((a) => (100 * a).toFixed(2)).join(' / ')} %`);
  log(`MACs per stage: ${report.macs.stageMacs.join(' / ')}; per head: ${report.macs.headMacs.join(' / ')}\n`);
  log(table);
  log(`\nwrote ${join(outDir, 'digits.json')}, digits.md, digits-accuracy-cost.svg and network.json`);
}

import { join } from 'node:path';
import { DEFAULT_DIGITS_OPTIONS } from '@offramp/app-digits/dist/pipeline.js';
import { createDigitsNetwork, DIGITS_ARCHITECTURE } from '@offramp/app-digits/dist/network.js';
import { trainEarlyHeads, trainOrLoadDigitsBackbone } from '@offramp/app-digits/dist/train-network.js';
import { chooseOperatingPoint, exitAccuracies, fullModelAccuracy, sweepThresholds } from '@offramp/calibration';
import { collectTrace, computeExitCosts } from '@offramp/core';
import { writeFileAtomic } from '@offramp/core/node';
import { loadMnistDigits, splitDataset } from '@offramp/data';
import { builtinGateRegistry } from '@offramp/gates';
import { loadWebRuntime, OnnxEngine } from '@offramp/onnx';
import { exportNetwork } from '@offramp/onnx/export';
import { writeOnnxBundle } from '@offramp/onnx/node';
import { MODEL_FILES } from '../model/files.js';
import { encodeSamples } from '../model/sample-file.js';
import { encodeTrace } from '../model/trace-file.js';
import { toByte } from '../model/sample-file.js';
import { pickSamples } from './pick-samples.js';

export interface PrepareOptions {
  /** Where the digits backbone is cached (the main job's cache is reused when it holds it). */
  readonly cacheDir: string;
  /** The page's model directory (public/model). */
  readonly modelDir: string;
  /** Where the summary JSON goes (results/). */
  readonly resultsDir: string;
  /** Test images per class shipped with the page. */
  readonly perClass: number;
  /** Largest validation accuracy loss of the default operating point, as a fraction. */
  readonly maxDrop: number;
  readonly progress: boolean;
  readonly log: (line: string) => void;
}

export interface PrepareSummary {
  readonly network: string;
  readonly backboneFromCache: boolean;
  readonly testSamples: number;
  readonly exitAccuracies: readonly number[];
  readonly fullModelAccuracy: number;
  readonly gate: string;
  readonly threshold: number;
  readonly shippedSamples: number;
  readonly files: Readonly<Record<string, number>>;
}

/**
 * Trains (or loads) the digits network with the main job's recipe, exports it to ONNX, traces the
 * test set through the exported graphs on onnxruntime-web (the runtime the page uses), and writes
 * the bundle, the trace and a few test images into the page's model directory.
 */
export async function prepareModel(options: PrepareOptions): Promise<PrepareSummary> {
  const settings = { ...DEFAULT_DIGITS_OPTIONS, progress: options.progress };
  const split = splitDataset(await loadMnistDigits(), { ...settings.sizes, seed: settings.seed });
  const network = createDigitsNetwork(settings.seed);
  try {
    const backbone = await trainOrLoadDigitsBackbone(network, split.train, settings, options.cacheDir);
    options.log(backbone.fromCache ? `backbone loaded from ${backbone.path}` : `backbone trained, cached at ${backbone.path}`);
    await trainEarlyHeads(network, split.train, settings);
    const exported = exportNetwork({
      name: 'digits-cnn',
      inputShape: DIGITS_ARCHITECTURE.inputShape,
      classes: DIGITS_ARCHITECTURE.classes,
      stages: network.backbone.stages,
      heads: network.heads,
    });

    // The page reads grey levels as bytes: trace the test set exactly as the page will see it.
    const { test, validation } = split;
    const testBytes = Uint8Array.from(test.images, toByte);
    const testImages = Float32Array.from(testBytes, (b) => b / 255);
    const engine = await OnnxEngine.create(await loadWebRuntime(), exported);
    try {
      const costs = computeExitCosts({ stageMacs: exported.manifest.macs.stages, headMacs: exported.manifest.macs.heads });
      const gate = builtinGateRegistry().create('max-prob', { exits: engine.exits, classes: engine.classes });
      const validationTrace = await collectTrace(engine, validation.images, validation.n);
      const curve = sweepThresholds(validationTrace, gate, costs, validation.labels);
      const reference = fullModelAccuracy(validationTrace, validation.labels);
      const point = chooseOperatingPoint(curve, { reference, maxDrop: options.maxDrop });
      const threshold = !point || point.fullModel ? gate.range.max : point.threshold;
      const trace = await collectTrace(engine, testImages, test.n);

      const bundle = {
        ...exported,
        manifest: {
          ...exported.manifest,
          policy: { gate: gate.name, thresholds: new Array<number>(engine.exits - 1).fill(threshold) },
        },
      };
      const samples = pickSamples(testBytes, test.labels, testImages.length / test.n, engine.classes, options.perClass);
      const written = await writeOnnxBundle(options.modelDir, bundle);
      const traceBytes = encodeTrace({ trace, labels: test.labels });
      const sampleBytes = encodeSamples(samples);
      await writeFileAtomic(join(options.modelDir, MODEL_FILES.trace), traceBytes);
      await writeFileAtomic(join(options.modelDir, MODEL_FILES.samples), sampleBytes);

      const files: Record<string, number> = {};
      for (const [name, bytes] of Object.entries(written.files)) files[name] = bytes.length;
      files[MODEL_FILES.trace] = traceBytes.length;
      files[MODEL_FILES.samples] = sampleBytes.length;
      const summary: PrepareSummary = {
        network: exported.manifest.name ?? 'digits-cnn',
        backboneFromCache: backbone.fromCache,
        testSamples: test.n,
        exitAccuracies: exitAccuracies(trace, test.labels),
        fullModelAccuracy: fullModelAccuracy(trace, test.labels),
        gate: gate.name,
        threshold,
        shippedSamples: samples.count,
        files,
      };
      await writeFileAtomic(join(options.resultsDir, 'prepare.json'), `${JSON.stringify(summary, null, 2)}\n`);
      return summary;
    } finally {
      await engine.release();
    }
  } finally {
    network.dispose();
  }
}

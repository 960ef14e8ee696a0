import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { riskControlledThresholds, sweepThresholds } from '@offramp/calibration';
import { ArgumentError, collectTrace, computeExitCosts, evaluateTrace, resultFromExits, summarizeExits } from '@offramp/core';
import { useWasmBackend } from '@offramp/backbones';
import { buildBundle, compileEarlyExit, importOnnxBackbone, loadNodeRuntime, OnnxEngine } from '@offramp/onnx';
import { exportHead } from '@offramp/onnx/export';
import { writeOnnxBundle } from '@offramp/onnx/node';
import type { AttachResults } from './attach-results.js';
import { featuresWithProgress } from './chunked-features.js';
import { readLabelledData } from './dataset-file.js';
import { type ExitsOption, selectExits } from './exit-selection.js';
import { cachedFeatures, featureCacheKey } from './feature-cache.js';
import { createRuleGate, type GateName } from './gate-choice.js';
import { type HeadKind, trainHead } from './head-training.js';
import { analyzeModel } from './model-analysis.js';
import { readUserFile } from './model-file.js';
import { checkOutputFree, writeOutputFolder } from './output-folder.js';
import { renderReportHtml } from './report-html.js';

export interface AttachOptions {
  readonly model: string;
  readonly exits: ExitsOption;
  readonly train: string;
  readonly validation: string;
  readonly test?: string;
  readonly head: HeadKind;
  readonly gate: GateName;
  /** Allowed rise of the error over the last exit's (epsilon). */
  readonly risk: number;
  /** Allowed probability that the guarantee fails. */
  readonly delta: number;
  readonly out: string;
  /** Feature cache folder; default `.offramp-cache` next to `out`. */
  readonly cache?: string;
  readonly epochs?: number;
  readonly seed?: number;
  readonly overwrite?: boolean;
  readonly log?: (line: string) => void;
}

function checkUnit(value: number, field: string): void {
  if (!(value > 0 && value < 1)) throw new ArgumentError({ field, expected: 'a number in (0, 1)', received: String(value) });
}

/**
 * Cuts the model at the exits, trains a head per exit on cached features, certifies the gate's
 * thresholds by Learn-then-Test and writes the bundle, the compiled early-exit graph, results.json
 * and report.html to `out` (all or nothing).
 */
export async function attachExits(options: AttachOptions): Promise<AttachResults> {
  const log = options.log ?? (() => undefined);
  checkUnit(options.risk, '--risk');
  checkUnit(options.delta, '--delta');
  await checkOutputFree(options.out, options.overwrite ?? false);
  const seconds: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await work();
    seconds[step] = (performance.now() - start) / 1000;
    return result;
  };

  const runtime = await loadNodeRuntime();
  const modelBytes = await readUserFile(options.model, 'model');
  const analysis = await timed('inspect', () => analyzeModel(runtime, modelBytes));
  const exits = selectExits(analysis, options.exits);
  if (exits.length < 2) {
    throw new ArgumentError({ field: '--exits', expected: 'at least 2 exits (early ones and the last)', received: `${exits.length}` });
  }
  const output = analysis.outputs[0]?.shape ?? [];
  const classes = output.length === 1 ? output[0]! : 0;
  if (classes < 2) {
    throw new ArgumentError({ field: 'model.graph.output[0]', expected: 'class scores of shape [classes]', received: JSON.stringify(output) });
  }
  const inputShape = analysis.input.shape;
  const [train, validation, test] = await timed('read data', async () => [
    await readLabelledData(options.train, '--train', inputShape, classes),
    await readLabelledData(options.validation, '--val', inputShape, classes),
    options.test ? await readLabelledData(options.test, '--test', inputShape, classes) : undefined,
  ] as const);

  const stageMacs = exits.map((e, l) => e.cumulativeMacs - (l === 0 ? 0 : exits[l - 1]!.cumulativeMacs));
  const backbone = importOnnxBackbone({
    model: modelBytes,
    exits: exits.map((e) => ({ tensor: e.name, shape: e.shape, layout: e.layout })),
    macs: stageMacs,
  });
  const cacheDir = options.cache ?? join(dirname(resolve(options.out)), '.offramp-cache');
  const exitKey = JSON.stringify(exits.map((e) => [e.name, e.layout]));
  const features = async (name: string, data: { images: Float32Array; n: number }) =>
    (
      await cachedFeatures(
        cacheDir,
        featureCacheKey([modelBytes, exitKey, new Uint8Array(data.images.buffer, data.images.byteOffset, data.images.byteLength)]),
        name,
        exits.length,
        () => featuresWithProgress(runtime, backbone, data.images, data.n, `features (${name})`),
      )
    ).features;
  const trainFeatures = await timed('features (train)', () => features('train', train));
  const validationFeatures = await timed('features (validation)', () => features('validation', validation));

  await useWasmBackend();
  const trained = await timed('train heads', async () => {
    const heads = [];
    for (let l = 0; l < exits.length; l++) {
      const shape = backbone.headInputShapes[l]!;
      heads.push(
        await trainHead(
          shape,
          { features: trainFeatures[l]!, labels: train.labels },
          { features: validationFeatures[l]!, labels: validation.labels },
          {
            kind: options.head,
            classes,
            epochs: options.epochs ?? 8,
            batchSize: 64,
            learningRate: 1e-2,
            patience: 2,
            seed: (options.seed ?? 0) + l,
            label: `head ${l + 1}/${exits.length}`,
          },
        ),
      );
    }
    return heads;
  });
  const headParts = trained.map((t, l) => exportHead(t.head, backbone.stages[l]!.feature, `heads[${l}]`));
  for (const t of trained) t.head.dispose();

  const gate = createRuleGate(options.gate, exits.length, classes);
  const headMacs = headParts.map((h) => h.macs);
  const costs = computeExitCosts({ stageMacs, headMacs, gateMacs: stageMacs.map((_, l) => gate.macs(l)) });
  const plain = buildBundle({ inputShape, classes, stages: backbone.stages, heads: headParts });
  const engine = await OnnxEngine.create(runtime, plain);
  const evaluation = test ?? validation;
  const [validationTrace, evaluationTrace] = await timed('traces', async () => {
    const v = await collectTrace(engine, validation.images, validation.n);
    return [v, test ? await collectTrace(engine, test.images, test.n) : v] as const;
  });
  await engine.release();

  const certified = await timed('certify', async () =>
    riskControlledThresholds(validationTrace, gate, costs, {
      risk: 'error-increase',
      epsilon: options.risk,
      delta: options.delta,
      labels: validation.labels,
      mode: 'shared',
    }),
  );
  const thresholds = certified.thresholds ?? new Array<number>(exits.length - 1).fill(gate.range.max);
  const lastExit = exits.length - 1;
  const early = certified.thresholds
    ? evaluateTrace(evaluationTrace, gate, thresholds, costs)
    : resultFromExits(evaluationTrace, new Int32Array(evaluation.n).fill(lastExit), costs);
  const summary = summarizeExits(early, costs, evaluation.labels);
  const full = summarizeExits(resultFromExits(evaluationTrace, new Int32Array(evaluation.n).fill(lastExit), costs), costs, evaluation.labels);
  const curve = sweepThresholds(evaluationTrace, gate, costs, evaluation.labels).points.map((p) => ({
    cost: p.meanMacs / full.meanMacs,
    accuracy: p.accuracy,
  }));

  const bundle = buildBundle({
    name: options.model,
    inputShape,
    classes,
    stages: backbone.stages,
    heads: headParts,
    policy: { gate: options.gate, thresholds },
  });
  const compiled = compileEarlyExit(bundle, { gate, thresholds });
  const results: AttachResults = {
    model: options.model,
    gate: options.gate,
    head: options.head,
    risk: options.risk,
    delta: options.delta,
    evaluatedOn: test ? 'test' : 'validation',
    exits: exits.map((e, l) => ({
      tensor: e.name,
      shape: e.shape,
      layout: e.layout,
      cumulativeMacs: e.cumulativeMacs,
      validationAccuracy: trained[l]!.validationAccuracy,
    })),
    fullModel: { accuracy: full.accuracy, meanMacs: full.meanMacs },
    operatingPoint: {
      thresholds: certified.thresholds,
      accuracy: summary.accuracy,
      meanMacs: summary.meanMacs,
      macsRatio: summary.meanMacs / full.meanMacs,
      exitCounts: summary.exitCounts,
      samples: evaluation.n,
      validationRisk: certified.empiricalRisk,
      pValue: certified.pValueAtChoice,
    },
    seconds,
  };
  const html = await renderReportHtml(results, curve);
  await writeOutputFolder(
    options.out,
    async (dir) => {
      await writeOnnxBundle(dir, bundle);
      await writeFile(join(dir, 'early-exit.onnx'), compiled.model);
      await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
      await writeFile(join(dir, 'report.html'), html);
    },
    options.overwrite ?? false,
  );
  log(
    `wrote ${options.out}: accuracy ${summary.accuracy?.toFixed(4)} (last exit ${full.accuracy?.toFixed(4)}) at ${(100 * results.operatingPoint.macsRatio).toFixed(1)}% of the MACs`,
  );
  return results;
}

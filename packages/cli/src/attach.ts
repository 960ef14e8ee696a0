import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { riskControlledThresholds } from '@offramp/calibration';
import { ArgumentError, collectTrace, computeExitCosts, createExitPolicy, type PolicySpec, shapeSize } from '@offramp/core';
import { useWasmBackend } from '@offramp/backbones';
import { buildBundle, CompiledEarlyExit, compileEarlyExit, importOnnxBackbone, loadNodeRuntime, OnnxEngine } from '@offramp/onnx';
import { exportHead } from '@offramp/onnx/export';
import { writeOnnxBundle } from '@offramp/onnx/node';
import type { AttachResults } from './attach-results.js';
import { type AttachedTiming, TIMING_SESSION_OPTIONS, timeAttached } from './attached-timing.js';
import { featuresWithProgress } from './chunked-features.js';
import { readDataSource } from './data-source.js';
import { type ExitsOption, selectExits } from './exit-selection.js';
import { cachedFeatures, featureCacheKey } from './feature-cache.js';
import { type GateName, trainOrCreateGate } from './gate-choice.js';
import { firstSamples, scaleHeadsByTemperature } from './head-temperature.js';
import { type HeadKind, type HeadPool, identityHead, trainHead } from './head-training.js';
import { analyzeModel } from './model-analysis.js';
import { readUserFile } from './model-file.js';
import { evaluateOnTrace, timeCurve } from './operating-point.js';
import { checkOutputFree, writeOutputFolder } from './output-folder.js';
import { renderReportHtml } from './report-html.js';

export interface AttachOptions {
  readonly model: string;
  readonly exits: ExitsOption;
  /** A .npz file or a dataset by name (`fashion-mnist:train:0-10000`). */
  readonly train: string;
  readonly validation: string;
  readonly test?: string;
  readonly head: HeadKind;
  /** Image feature maps into the heads: flattened whole, or averaged to about 7 x 7 first ('grid'). Default 'grid'. */
  readonly pool?: HeadPool;
  readonly gate: GateName;
  /** Allowed rise of the error over the last exit's (epsilon). */
  readonly risk: number;
  /** Allowed probability that the guarantee fails. */
  readonly delta: number;
  /**
   * One threshold shared by the exits (default), or one per exit (Learn-then-Test searches them on half of
   * the validation set and tests the path on the other half).
   */
  readonly thresholdMode?: 'shared' | 'per-exit';
  /**
   * Fraction of the validation set that fits a temperature per head (folded into the head) before the rest
   * certifies the thresholds; 0: no temperature scaling. Default 0.2.
   */
  readonly temperatureFraction?: number;
  readonly out: string;
  /** Feature cache folder; default `.offramp-cache` next to `out`. */
  readonly cache?: string;
  readonly epochs?: number;
  /** JEI-DNN's cost weight lambda (--gate jei). Default 0.1. */
  readonly lambda?: number;
  readonly seed?: number;
  /** Samples of the evaluation set timed on this machine (0: no timing). Default 1024. */
  readonly timingSamples?: number;
  readonly overwrite?: boolean;
  readonly log?: (line: string) => void;
}

function checkUnit(value: number, field: string): void {
  if (!(value > 0 && value < 1)) throw new ArgumentError({ field, expected: 'a number in (0, 1)', received: String(value) });
}

/**
 * Cuts the model at the exits, trains a head per exit on cached features (and the JEI-DNN gate when asked),
 * certifies the gate's thresholds by Learn-then-Test, times the result, and writes the bundle, the compiled
 * early-exit graph, results.json and report.html to `out` (all or nothing).
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
  const cacheDir = options.cache ?? join(dirname(resolve(options.out)), '.offramp-cache');
  const [train, validation, test] = await timed('read data', async () => [
    await readDataSource(options.train, '--train', inputShape, classes, cacheDir),
    await readDataSource(options.validation, '--val', inputShape, classes, cacheDir),
    options.test ? await readDataSource(options.test, '--test', inputShape, classes, cacheDir) : undefined,
  ] as const);

  const stageMacs = exits.map((e, l) => e.cumulativeMacs - (l === 0 ? 0 : exits[l - 1]!.cumulativeMacs));
  const backbone = await importOnnxBackbone(
    {
      model: modelBytes,
      exits: exits.map((e) => ({ tensor: e.name, shape: e.shape, layout: e.layout })),
      macs: stageMacs,
    },
    { runtime },
  );
  const exitKey = JSON.stringify(exits.map((e) => [e.name, e.layout]));
  const features = async (name: string, data: { images: Float32Array; n: number; labels: Int32Array }) => ({
    n: data.n,
    labels: data.labels,
    shapes: backbone.headInputShapes,
    features: (
      await cachedFeatures(
        cacheDir,
        featureCacheKey([modelBytes, exitKey, new Uint8Array(data.images.buffer, data.images.byteOffset, data.images.byteLength)]),
        name,
        exits.length,
        () => featuresWithProgress(runtime, backbone, data.images, data.n, `features (${name})`),
      )
    ).features,
  });
  const trainFeatures = await timed('features (train)', () => features('train', train));
  const validationFeatures = await timed('features (validation)', () => features('validation', validation));

  await useWasmBackend();
  const trained = await timed('train heads', async () => {
    const heads = [];
    for (let l = 0; l < exits.length; l++) {
      const shape = backbone.headInputShapes[l]!;
      if (exits[l]!.isOutput && shape.length === 1 && shape[0] === classes) {
        // The model's own class scores: the last exit answers as the model does.
        heads.push(identityHead(classes, { features: validationFeatures.features[l]!, labels: validation.labels }));
        continue;
      }
      heads.push(
        await trainHead(
          shape,
          { features: trainFeatures.features[l]!, labels: train.labels },
          { features: validationFeatures.features[l]!, labels: validation.labels },
          {
            kind: options.head,
            pool: options.pool ?? 'grid',
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
  const heads = trained.map((t) => t.head);
  // The first part of the validation set fits the temperatures; the rest certifies, independent of that fit.
  const calibrationCount = Math.round((options.temperatureFraction ?? 0.2) * validation.n);
  const temperatures =
    calibrationCount > 0
      ? await timed('temperature', () => scaleHeadsByTemperature(heads, firstSamples(validationFeatures, calibrationCount), classes))
      : heads.map(() => 1);
  const certification = {
    images: validation.images.subarray(calibrationCount * shapeSize(inputShape)),
    labels: validation.labels.subarray(calibrationCount),
    n: validation.n - calibrationCount,
  };
  // The heads are final here (the learned gate trains with them frozen): exported once.
  const headParts = heads.map((h, l) => exportHead(h, backbone.stages[l]!.feature, `heads[${l}]`));
  const chosen = await timed('train gate', () =>
    trainOrCreateGate(options.gate, {
      exits: exits.length,
      classes,
      heads,
      train: trainFeatures,
      validation: validationFeatures,
      stageMacs,
      headMacs: headParts.map((h) => h.macs),
      seed: options.seed ?? 0,
      ...(options.lambda !== undefined ? { lambda: options.lambda } : {}),
    }),
  );
  for (const h of heads) h.dispose();
  const { gate } = chosen;
  const costs = computeExitCosts({ stageMacs, headMacs: headParts.map((h) => h.macs), gateMacs: stageMacs.map((_, l) => gate.macs(l)) });

  const plain = buildBundle({ inputShape, classes, stages: backbone.stages, heads: headParts });
  const engine = await OnnxEngine.create(runtime, plain);
  const evaluation = test ?? certification;
  const [certificationTrace, evaluationTrace] = await timed('traces', async () => {
    const v = await collectTrace(engine, certification.images, certification.n);
    return [v, test ? await collectTrace(engine, test.images, test.n) : v] as const;
  });
  await engine.release();

  const certified = await timed('certify', async () =>
    riskControlledThresholds(certificationTrace, gate, costs, {
      risk: 'error-increase',
      epsilon: options.risk,
      delta: options.delta,
      labels: certification.labels,
      mode: options.thresholdMode ?? 'shared',
    }),
  );
  // Nothing certified: every early exit closed (null in JSON, +Infinity in the policy).
  const thresholds: (number | null)[] = certified.thresholds ?? new Array<null>(exits.length - 1).fill(null);
  const policy = createExitPolicy({ gate, thresholds: thresholds.map((t) => t ?? Number.POSITIVE_INFINITY), costs });
  const evaluated = evaluateOnTrace(evaluationTrace, policy, evaluation.labels);

  const spec: PolicySpec = { gate: gate.name, ...(chosen.options ? { options: chosen.options } : {}), thresholds };
  const bundle = buildBundle({ name: options.model, inputShape, classes, stages: backbone.stages, heads: headParts, policy: spec });
  const compiled = await timed('compile', async () => compileEarlyExit(bundle, policy));
  const timingSamples = Math.min(options.timingSamples ?? 1024, evaluation.n);
  let timing: AttachedTiming | null = null;
  if (timingSamples > 0) {
    timing = await timed('timing', async () => {
      const timingEngine = await OnnxEngine.create(runtime, bundle, { sessionOptions: TIMING_SESSION_OPTIONS });
      const graph = await CompiledEarlyExit.create(runtime, compiled.model, TIMING_SESSION_OPTIONS);
      try {
        return await timeAttached(timingEngine, graph, policy, evaluation.images, timingSamples, { batches: [1, 128], passes: 3 });
      } finally {
        await graph.release();
        await timingEngine.release();
      }
    });
  }
  const { exit: _exit, prediction: _prediction, curve, ...evaluationNumbers } = evaluated;
  const results: AttachResults = {
    model: options.model,
    gate: gate.name,
    head: options.head,
    risk: options.risk,
    delta: options.delta,
    evaluatedOn: options.test ?? options.validation,
    exits: exits.map((e, l) => ({
      tensor: e.name,
      shape: e.shape,
      layout: e.layout,
      cumulativeMacs: e.cumulativeMacs,
      validationAccuracy: trained[l]!.validationAccuracy,
    })),
    temperatures,
    certified: { samples: certification.n, thresholds, validationRisk: certified.empiricalRisk, pValue: certified.pValueAtChoice },
    ...evaluationNumbers,
    timing,
    seconds,
  };
  const batched = timing?.rows.at(-1);
  const html = await renderReportHtml(results, {
    macs: curve,
    ...(batched ? { time: timeCurve(evaluationTrace, gate, evaluation.labels, batched.exitUs, batched.fullUs), timeBatch: batched.batch } : {}),
  });
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
  const speed = timing ? `, ${timing.rows.map((r) => `${r.compiledSpeedup.toFixed(2)}x faster at batch ${r.batch}`).join(', ')} (measured)` : '';
  log(
    `wrote ${options.out}: accuracy ${(100 * evaluated.earlyExit.accuracy).toFixed(2)}% (last exit ${(100 * evaluated.lastExit.accuracy).toFixed(2)}%) at ${(100 * evaluated.earlyExit.macsRatio).toFixed(1)}% of the MACs${speed}`,
  );
  return results;
}

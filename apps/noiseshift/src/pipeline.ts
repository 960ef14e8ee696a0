import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@offramp/core/node';
import type { NoiseTable } from '@offramp/diffusion';
import { takeImages } from '@offramp/diffusion';
import { createTrainingProgress } from '@offramp/train';
import { classifierAccuracy, type DigitClassifier, trainOrLoadClassifier } from './classifier.js';
import { checkResolutions, loadDigitSets, setsAt } from './data.js';
import { evaluateSetting, evaluatorAt, realFloor, type SettingResult } from './evaluate.js';
import type { NoiseShiftOptions } from './options.js';
import { calibrationSvg, gainSvg } from './plots.js';
import { imageGridPng } from './png-grid.js';
import { markdownTable } from './report.js';
import { calibrateOrLoadTables } from './tables.js';
import { type TrainedDenoiser, trainOrLoadDenoiser } from './train-denoiser.js';

export interface NoiseShiftRun {
  readonly results: SettingResult[];
  readonly tables: { model: string; table: NoiseTable }[];
  readonly table: string;
  readonly seconds: Record<string, number>;
  readonly cached: boolean;
}

const NATIVE = 'native-only';
const CONTROL = 'all-sides';

async function timed<T>(seconds: Record<string, number>, phase: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    seconds[phase] = (seconds[phase] ?? 0) + (Date.now() - started) / 1000;
  }
}

/**
 * The whole experiment: trains (or loads) a denoiser at the native side only and a control trained at every
 * side, a digit classifier per side, calibrates NoiseShift tables, samples with and without them for every
 * seed, and writes results/noiseshift.json, noiseshift.md, two SVG plots and a PNG grid per side.
 */
export async function runNoiseShift(o: NoiseShiftOptions): Promise<NoiseShiftRun> {
  checkResolutions(o);
  const seconds: Record<string, number> = {};
  const started = Date.now();
  const sets = await timed(seconds, 'data', () => loadDigitSets(o));
  const low = o.resolutions.filter((s) => s !== o.native);
  const models: TrainedDenoiser[] = [];
  const classifiers: DigitClassifier[] = [];
  try {
    models.push(await timed(seconds, 'train native', () => trainOrLoadDenoiser(sets, o, { name: NATIVE, sides: [o.native], epochs: o.epochs })));
    models.push(await timed(seconds, 'train control', () => trainOrLoadDenoiser(sets, o, { name: CONTROL, sides: o.resolutions, epochs: o.controlEpochs })));
    for (const m of models) o.log(`${m.denoiser.name}: ${m.fromCache ? 'loaded from the cache' : `trained in ${m.seconds.toFixed(1)} s, loss per epoch ${m.losses.map((l) => l.toFixed(4)).join(' ')}`}`);
    const accuracy: Record<string, number> = {};
    for (const side of o.resolutions) {
      const c = await timed(seconds, 'classifiers', () => trainOrLoadClassifier(side, setsAt(sets, side).train, o));
      classifiers.push(c);
      accuracy[String(side)] = classifierAccuracy(c, setsAt(sets, side).test);
      o.log(`classifier ${side}x${side}: test accuracy ${(100 * accuracy[String(side)]!).toFixed(1)}%${c.fromCache ? ' (cached)' : ''}`);
    }
    const [native, control] = models as [TrainedDenoiser, TrainedDenoiser];
    const stored = await timed(seconds, 'calibration', async () => [
      await calibrateOrLoadTables(native.denoiser, native.checkpoint, sets, o.resolutions, o),
      await calibrateOrLoadTables(control.denoiser, control.checkpoint, sets, low, o),
    ]);
    const [nativeTables, controlTables] = stored as [(typeof stored)[0], (typeof stored)[0]];
    const tables = [
      ...nativeTables.tables.map((table) => ({ model: NATIVE, table })),
      ...controlTables.tables.map((table) => ({ model: CONTROL, table })),
    ];
    for (const { model, table } of tables) {
      o.log(`table ${model} ${table.resolution}x${table.resolution}: ${table.levels.map((s, k) => `${table.schedule[k]!.toFixed(2)}->${s.toFixed(3)}`).join(' ')}`);
    }
    const plan = [
      ...o.resolutions.map((side) => ({ trained: native, tables: nativeTables.tables, side })),
      ...low.map((side) => ({ trained: control, tables: controlTables.tables, side })),
    ];
    const results: SettingResult[] = [];
    const floors = new Map<number, number>();
    const realInk = new Map<number, number>();
    const progress = o.progress ? createTrainingProgress('sample + evaluate', plan.length * 2 * o.seeds.length, plan.length) : undefined;
    try {
      await timed(seconds, 'evaluation', async () => {
        for (const [i, step] of plan.entries()) {
          const parts = setsAt(sets, step.side);
          const evaluator = evaluatorAt(classifiers[o.resolutions.indexOf(step.side)]!, parts.test, o);
          if (!floors.has(step.side)) floors.set(step.side, realFloor(evaluator, parts.validation, o.samples));
          realInk.set(step.side, evaluator.realInk);
          for (const mode of ['scheduled', 'noiseshift'] as const) {
            const result = await evaluateSetting(step.trained.denoiser, step.tables, evaluator, mode, o, () => progress?.tick(i, 0));
            results.push(result);
          }
        }
      });
    } finally {
      progress?.stop();
    }
    const table = markdownTable(results, floors, realInk);
    await mkdir(o.outDir, { recursive: true });
    for (const side of o.resolutions) {
      const real = takeImages(setsAt(sets, side).test.images, Array.from({ length: 64 }, (_, i) => i));
      const panels = [real, ...results.filter((r) => r.side === side).map((r) => r.preview)];
      await writeFileAtomic(
        join(o.outDir, `samples-${side}.png`),
        imageGridPng(panels, { columns: 6, rows: 6, cell: o.native, gap: 2, panelGap: 16 }),
      );
    }
    await writeFileAtomic(join(o.outDir, 'calibration.svg'), await calibrationSvg(tables));
    await writeFileAtomic(join(o.outDir, 'noiseshift-gain.svg'), await gainSvg(results));
    seconds.total = (Date.now() - started) / 1000;
    const cached = models.every((m) => m.fromCache) && classifiers.every((c) => c.fromCache) && nativeTables.fromCache && controlTables.fromCache;
    const json = {
      method: 'NoiseShift, reconstructed from the paper abstract (no official code): per side and sampler step, the conditioning level minimising the held-out denoising error at the scheduled level.',
      settings: {
        native: o.native, resolutions: o.resolutions, split: o.split, widths: o.widths, embedding: o.embedding,
        epochs: o.epochs, controlEpochs: o.controlEpochs, batchSize: o.batchSize, learningRate: o.learningRate,
        classifierEpochs: o.classifierEpochs, featureSize: o.featureSize, steps: o.steps, seeds: o.seeds,
        samples: o.samples, calibrationImages: o.calibrationImages, errorImages: o.errorImages, search: o.search, seed: o.seed,
      },
      cached,
      seconds,
      training: models.map((m) => ({ model: m.denoiser.name, fromCache: m.fromCache, seconds: m.seconds, losses: m.losses })),
      calibration: [
        { model: NATIVE, fromCache: nativeTables.fromCache, seconds: nativeTables.seconds, steps: nativeTables.steps },
        { model: CONTROL, fromCache: controlTables.fromCache, seconds: controlTables.seconds, steps: controlTables.steps },
      ],
      classifierAccuracy: accuracy,
      realFloor: Object.fromEntries(floors),
      realInk: Object.fromEntries(realInk),
      tables,
      results: results.map(({ preview: _, ...r }) => r),
    };
    await writeFileAtomic(join(o.outDir, 'noiseshift.json'), `${JSON.stringify(json, null, 2)}\n`);
    await writeFileAtomic(join(o.outDir, 'noiseshift.md'), `${table}\n`);
    return { results, tables, table, seconds, cached };
  } finally {
    for (const m of models) m.denoiser.dispose();
    for (const c of classifiers) c.dispose();
  }
}

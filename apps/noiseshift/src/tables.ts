import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ArgumentError } from '@offramp/core';
import { writeFileAtomic } from '@offramp/core/node';
import {
  type CalibrationStep,
  calibrateNoiseTable,
  checkNoiseTable,
  type Denoiser,
  flowSchedule,
  type NoiseTable,
  takeImages,
} from '@offramp/diffusion';
import { checkpointExists, createTrainingProgress } from '@offramp/train';
import { type DigitSets, setsAt } from './data.js';
import type { NoiseShiftOptions } from './options.js';

/** The tables of one denoiser, as stored beside its checkpoint. */
export interface StoredTables {
  readonly settings: Record<string, unknown>;
  readonly tables: NoiseTable[];
  /** Per side: the search at every step (errors on the calibration images). */
  readonly steps: Record<string, Omit<CalibrationStep, 'evaluations'>[]>;
  readonly seconds: number;
}

/** Where the tables of the model in `checkpoint` calibrated with `settings` are kept. */
export function tablesPath(checkpoint: string, settings: Record<string, unknown>): string {
  const hash = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 12);
  return checkpoint.replace(/\.ckpt$/, `.tables-${hash}.json`);
}

async function readTables(path: string, sides: readonly number[]): Promise<StoredTables> {
  const stored = JSON.parse(await readFile(path, 'utf8')) as StoredTables;
  if (!Array.isArray(stored.tables) || stored.tables.length !== sides.length) {
    throw new ArgumentError({ field: `${path}.tables`, expected: `${sides.length} tables`, received: String(stored.tables?.length) });
  }
  stored.tables.forEach((t, i) => {
    checkNoiseTable(t, { resolution: sides[i] }, `${path}.tables[${i}]`);
  });
  return stored;
}

/**
 * NoiseShift tables of a denoiser at every side in `sides`, calibrated on the first `calibrationImages`
 * validation images, or read from beside the checkpoint when the same calibration was stored before.
 */
export async function calibrateOrLoadTables(
  denoiser: Denoiser,
  checkpoint: string,
  sets: DigitSets,
  sides: readonly number[],
  o: NoiseShiftOptions,
): Promise<StoredTables & { fromCache: boolean }> {
  const settings = { sides, steps: o.steps, images: o.calibrationImages, search: o.search, seed: o.seed };
  const path = tablesPath(checkpoint, settings);
  if (!o.recalibrate && (await checkpointExists(path))) return { ...(await readTables(path, sides)), fromCache: true };
  const schedule = flowSchedule(o.steps);
  const started = Date.now();
  const progress = o.progress ? createTrainingProgress(`calibrate ${denoiser.name}`, sides.length * o.steps, sides.length) : undefined;
  const tables: NoiseTable[] = [];
  const steps: StoredTables['steps'] = {};
  try {
    for (const [i, side] of sides.entries()) {
      const validation = setsAt(sets, side).validation.images;
      const images = takeImages(validation, Array.from({ length: Math.min(o.calibrationImages, validation.n) }, (_, r) => r));
      const calibration = await calibrateNoiseTable(denoiser, {
        images,
        schedule,
        seed: o.seed + side,
        search: o.search,
        onStep: (_, step) => progress?.tick(i, step.errorAtCalibrated),
      });
      tables.push(calibration.table);
      steps[String(side)] = calibration.steps.map(({ evaluations: _, ...rest }) => rest);
    }
  } finally {
    progress?.stop();
  }
  const stored: StoredTables = { settings, tables, steps, seconds: (Date.now() - started) / 1000 };
  await writeFileAtomic(path, `${JSON.stringify(stored, null, 2)}\n`);
  return { ...stored, fromCache: false };
}

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@offramp/core/node';
import { builtinGateRegistry } from '@offramp/gates';
import { VL_VOCABULARY } from '@offramp/data';
import type { MueOptions } from './options.js';
import { exitHistogramSvg, paretoPoints, tradeoffSvg } from './plot.js';
import { markdownTable } from './report.js';
import { reportTask, type TaskReport } from './task-report.js';
import { loadTasks } from './tasks.js';
import { trainOrLoad } from './train-model.js';

export interface MueRun {
  readonly reports: TaskReport[];
  readonly table: string;
  readonly trainedSeconds: number;
  readonly cached: boolean;
}

/** Caption threshold search runs on this many validation samples (each setting decodes them all). */
const CAPTION_SEARCH_SAMPLES = 500;

/** Trains (or loads) the model, searches thresholds, evaluates and times every policy, writes results and plots. */
export async function runMue(o: MueOptions & { searchSamples?: number }): Promise<MueRun> {
  const tasks = await loadTasks(o, o.seed);
  const { model, cached, seconds } = await trainOrLoad(o, [tasks.entailment.train, tasks.caption.train]);
  o.log(cached ? 'model loaded from the cache' : `model trained in ${seconds.toFixed(1)} s`);
  const gate = builtinGateRegistry().create('similarity', { exits: o.encoderLayers, classes: VL_VOCABULARY.size });
  try {
    const reports: TaskReport[] = [];
    for (const task of ['entailment', 'caption'] as const) {
      reports.push(
        await reportTask(model, tasks[task], gate, o.hand[task], o.keep[task], o.timed, o.searchSamples ?? CAPTION_SEARCH_SAMPLES, o.log),
      );
    }
    const table = markdownTable(reports);
    await mkdir(o.outDir, { recursive: true });
    const json = {
      settings: {
        train: o.train,
        validation: o.validation,
        test: o.test,
        timed: o.timed,
        model: { dModel: o.dModel, heads: o.heads, encoderLayers: o.encoderLayers, decoderLayers: o.decoderLayers },
        epochs: o.epochs,
        encoderRecipe: o.encoderRecipe,
        distillation: o.distillation,
        seed: o.seed,
        hand: o.hand,
        keep: o.keep,
      },
      trainedSeconds: seconds,
      reports: reports.map((r) => ({
        task: r.task,
        metric: r.metric,
        timedSamples: r.timedSamples,
        validation: {
          fullScore: r.validation.fullScore,
          fullMacs: r.validation.fullMacs,
          chosen: r.validation.chosen,
          settingsTried: r.validation.points.length,
          front: paretoPoints(r.validation.points),
        },
        rows: r.rows,
      })),
    };
    await writeFileAtomic(join(o.outDir, 'mue.json'), `${JSON.stringify(json, null, 2)}\n`);
    await writeFileAtomic(join(o.outDir, 'mue.md'), `${table}\n`);
    await writeFileAtomic(join(o.outDir, 'mue-tradeoff.svg'), await tradeoffSvg(reports));
    await writeFileAtomic(join(o.outDir, 'mue-exits.svg'), await exitHistogramSvg(reports));
    return { reports, table, trainedSeconds: seconds, cached };
  } finally {
    model.dispose();
  }
}

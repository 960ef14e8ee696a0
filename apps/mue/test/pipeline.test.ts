import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import { VL_VOCABULARY } from '@offramp/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MUE_OPTIONS } from '../src/options.js';
import { type MueRun, runMue } from '../src/pipeline.js';
import { captionScores, entailmentAccuracy } from '../src/score.js';
import { paretoPoints } from '../src/plot.js';
import { candidateThresholds, NEVER } from '../src/search.js';
import { buildTasks } from '../src/tasks.js';
import { createImageDataset } from '@offramp/data';

describe('scores', () => {
  const digits = createImageDataset(new Float32Array(3 * 784), Int32Array.from([7, 2, 4]), [28, 28, 1], 10);
  const tasks = buildTasks(digits, { train: 1, validation: 1, test: 1 }, 1);

  it('entailment accuracy compares the "yes" and "no" logits with the label', () => {
    const set = tasks.entailment.test;
    const logits = new Float32Array(VL_VOCABULARY.size);
    logits[VL_VOCABULARY.id(set.labels[0] === 1 ? 'yes' : 'no')] = 1;
    expect(entailmentAccuracy(set, logits, VL_VOCABULARY.size)).toBe(1);
    logits.fill(0);
    logits[VL_VOCABULARY.id(set.labels[0] === 1 ? 'no' : 'yes')] = 1;
    expect(entailmentAccuracy(set, logits, VL_VOCABULARY.size)).toBe(0);
  });

  it('caption token accuracy counts matching positions up to <eos> over the longer length', () => {
    const set = tasks.caption.test;
    const reference = Array.from(set.targets);
    expect(captionScores(set, Int32Array.from(reference), 7)).toEqual({ tokenAccuracy: 1, exact: 1 });
    // one wrong word out of 7 positions (6 words + <eos>)
    const wrong = [...reference];
    wrong[1] = VL_VOCABULARY.id('three');
    expect(captionScores(set, Int32Array.from(wrong), 7).tokenAccuracy).toBeCloseTo(6 / 7, 12);
    // stopping after 2 words (+ <eos>): 2 of max(3, 7) positions match
    const short = [reference[0]!, reference[1]!, 2, -1, -1, -1, -1];
    expect(captionScores(set, Int32Array.from(short), 7)).toEqual({ tokenAccuracy: 2 / 7, exact: 0 });
  });

  it('candidate thresholds are distinct quantiles plus a never-exit value; the front keeps the best per cost', () => {
    expect(candidateThresholds([Float32Array.from([0.1, 0.2]), Float32Array.from([0.3, 0.4])], [0, 0.5, 0.99])).toEqual([
      Math.fround(0.1),
      Math.fround(0.3),
      Math.fround(0.4),
      NEVER,
    ]);
    const t = { image: 1, text: 1, decoder: 1 };
    const front = paretoPoints([
      { thresholds: t, score: 0.9, macs: 10 },
      { thresholds: t, score: 0.8, macs: 12 },
      { thresholds: t, score: 0.95, macs: 20 },
    ]);
    expect(front.map((p) => p.macs)).toEqual([10, 20]);
  });
});

describe('MuE pipeline on a tiny setting', () => {
  let run: MueRun;
  let outDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    await useWasmBackend();
    outDir = await mkdtemp(join(tmpdir(), 'mue-out-'));
    const cacheDir = await mkdtemp(join(tmpdir(), 'mue-cache-'));
    run = await runMue({
      ...DEFAULT_MUE_OPTIONS,
      train: 200,
      validation: 60,
      test: 60,
      timed: 6,
      dModel: 16,
      heads: 2,
      encoderLayers: 2,
      decoderLayers: 2,
      epochs: 1,
      searchSamples: 20,
      progress: false,
      cacheDir,
      outDir,
      log: (line) => lines.push(line),
    });
  }, 600_000);

  it('reports both tasks with the full model, hand-set and searched thresholds', () => {
    expect(run.reports.map((r) => r.task)).toEqual(['entailment', 'caption']);
    for (const report of run.reports) {
      expect(report.rows[0]!.policy).toBe('full model');
      expect(report.rows[0]!.kept).toBe(1);
      expect(report.validation.points.length).toBeGreaterThan(1);
      for (const row of report.rows) {
        expect(row.ms).toBeGreaterThan(0);
        expect(row.exitHistogram.image.reduce((a, b) => a + b, 0)).toBe(60);
        // real early exit, one sample at a time, takes the exits the trace and masked evaluation gave
        expect(row.realMatchesTrace).toBe(report.timedSamples);
      }
    }
    expect(lines.some((l) => l.includes('trained'))).toBe(true);
  });

  it('writes the results JSON, the table and both plots', async () => {
    const json = JSON.parse(await readFile(join(outDir, 'mue.json'), 'utf8'));
    expect(json.reports).toHaveLength(2);
    expect(await readFile(join(outDir, 'mue.md'), 'utf8')).toContain('| entailment | full model |');
    expect(await readFile(join(outDir, 'mue-tradeoff.svg'), 'utf8')).toContain('<svg');
    expect(await readFile(join(outDir, 'mue-exits.svg'), 'utf8')).toContain('<svg');
  });
});

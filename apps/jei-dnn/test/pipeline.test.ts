import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import { writeFileAtomic } from '@offramp/core/node';
import { classCounts, encodeRawClothes } from '@offramp/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSplit } from '../src/datasets.js';
import type { ExperimentReport } from '../src/experiment.js';
import { DEFAULT_OPTIONS, runJeiApp } from '../src/pipeline.js';

describe('jei-dnn on a small MNIST split', () => {
  let reports: ExperimentReport[];
  let outDir: string;

  beforeAll(async () => {
    await useWasmBackend();
    outDir = await mkdtemp(join(tmpdir(), 'jei-out-'));
    const cacheDir = await mkdtemp(join(tmpdir(), 'jei-cache-'));
    reports = await runJeiApp({
      ...DEFAULT_OPTIONS,
      datasets: [{ name: 'mnist', sizes: { train: 800, validation: 300, test: 300 } }],
      backbone: { ...DEFAULT_OPTIONS.backbone, epochs: 2, progress: false },
      warmup: { maxEpochs: 3, learningRate: 0.01 },
      jei: { ...DEFAULT_OPTIONS.jei, lambdas: [0.1, 0.7], epochs: 2, switchEvery: 5 },
      hiddenGateEpochs: 2,
      alphas: [0.05, 0.1],
      maxDrop: 0.03,
      progress: false,
      cacheDir,
      outDir,
      log: () => undefined,
    });
  }, 240_000);

  it('trains one JEI-DNN network per lambda and reports every baseline', () => {
    const [report] = reports;
    expect(report!.jei.map((j) => j.lambda)).toEqual([0.1, 0.7]);
    expect(report!.baselines.map((b) => b.gate)).toEqual(['max-prob', 'entropy', 'margin', 'power-entropy', 'hidden-state']);
    expect(report!.fullModel.accuracy).toBeGreaterThan(0.5);
    expect(report!.oracle.accuracy!).toBeGreaterThanOrEqual(report!.fullModel.accuracy);
    for (const j of report!.jei) {
      expect(j.outcome.test.exitCounts.reduce((a, b) => a + b, 0)).toBe(300);
      expect(j.outcome.ece.mass).toBeGreaterThanOrEqual(0);
      expect(j.outcome.conformal.map((c) => c.alpha)).toEqual([0.05, 0.1]);
      expect(j.matched.map((m) => m.gate)).toContain('max-prob, JEI heads');
      expect(j.gateWeights.weights).toHaveLength(2);
    }
  });

  it('real early exit with the jei gate agrees with trace evaluation on every test sample', () => {
    const checked = reports[0]!.jei.find((j) => j.lambda === 0.7)!.runnerAgreement!;
    expect(checked.agreed).toBe(checked.samples);
  });

  it('writes the results JSON, the tables and an SVG plot', async () => {
    const json = JSON.parse(await readFile(join(outDir, 'jei-dnn.json'), 'utf8')) as ExperimentReport[];
    expect(json[0]!.jei).toHaveLength(2);
    const md = await readFile(join(outDir, 'jei-dnn.md'), 'utf8');
    expect(md).toContain('| JEI-DNN | lambda 0.1 |');
    expect(md).toContain('JEI-DNN beat the best baseline');
    const svg = await readFile(join(outDir, 'mnist-accuracy-cost.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
  });
});

describe('Fashion-MNIST split from the binary cache', () => {
  it('takes a class-balanced seeded subset and splits it', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'jei-fashion-'));
    const n = 10 * 30;
    const labels = Uint8Array.from({ length: n }, (_, i) => Math.floor(i / 30));
    const pixels = Uint8Array.from({ length: n * 784 }, (_, k) => (k * 7) % 256);
    await writeFileAtomic(join(cacheDir, 'fashion-mnist-v1.bin'), encodeRawClothes({ n, labels, pixels, skipped: 2 }));
    const { split, note } = await loadSplit('fashion-mnist', { train: 100, validation: 50, test: 50 }, 3, cacheDir);
    expect(note).toContain('2 empty rows skipped');
    expect(split.train.n + split.validation.n + split.test.n).toBe(200);
    expect(Array.from(classCounts(split.test))).toEqual(new Array(10).fill(5));
  });
});

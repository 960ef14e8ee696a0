import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import { loadNodeRuntime, loadWebRuntime } from '@offramp/onnx';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { median } from '@offramp/core';
import { DEFAULT_BENCH_OPTIONS, runBench } from '../src/pipeline.js';
import { type BenchReport, targets } from '../src/report.js';

describe('bench pipeline on a tiny setting', () => {
  let report: BenchReport;
  let outDir: string;
  let readme: string;
  const lines: string[] = [];

  beforeAll(async () => {
    await useWasmBackend();
    outDir = await mkdtemp(join(tmpdir(), 'bench-out-'));
    const cacheDir = await mkdtemp(join(tmpdir(), 'bench-cache-'));
    readme = join(outDir, 'README.md');
    await writeFile(readme, 'before\n<!-- bench-table:start -->\nOLD-TABLE\n<!-- bench-table:end -->\nafter\n');
    report = await runBench(
      {
        ...DEFAULT_BENCH_OPTIONS,
        sizes: { train: 400, validation: 200, test: 100 },
        digitsTraining: { epochs: 1, headEpochs: 1, batchSize: 64, learningRate: 2e-3 },
        deepTraining: { epochs: 1, headEpochs: 1, batchSize: 64, learningRate: 1e-3 },
        deep: { hidden: [32, 32, 32] },
        batchSizes: [1, 16],
        repetitions: 2,
        maxDrop: 0.02,
        runtimes: [
          { name: 'onnxruntime-node 1.30 (CPU)', runtime: await loadNodeRuntime() },
          { name: 'onnxruntime-web 1.30 (wasm)', runtime: await loadWebRuntime() },
        ],
        appDir: join(dirname(fileURLToPath(import.meta.url)), '..'),
        cacheDir,
        outDir,
        readme,
        progress: false,
        log: (line) => lines.push(line),
      });
  }, 240_000);

  it('measures every network on every runtime at every batch size, with one run per repetition', () => {
    const names = ['digits-cnn', 'deep-mlp', 'torch-cnn'];
    expect(report.networks.map((n) => `${n.name} ${n.runtime.split(' ')[0]}`)).toEqual(
      names.flatMap((name) => [`${name} onnxruntime-node`, `${name} onnxruntime-web`]),
    );
    for (const net of report.networks) {
      expect(net.batches.map((b) => b.batch)).toEqual([1, 16]);
      expect(net.exitCounts.reduce((a, b) => a + b, 0)).toBe(100);
      for (const b of net.batches) {
        // The compiled graph: exactly the runner's exits and predictions; its never-exit predicts as the full model.
        expect(b.compiled.sameExits).toBe(true);
        expect(b.compiled.early.accuracy).toBe(b.early.accuracy);
        expect(b.compiled.never.accuracy).toBe(b.full.accuracy);
        expect(b.compiled.speedup).toBeCloseTo(b.compiled.early.samplesPerSecond / b.full.samplesPerSecond, 10);
        expect(b.compiled.ofTimeImplied).toBeCloseTo(b.compiled.speedup / b.timeImpliedSpeedup, 10);
        expect(b.stageTimes.batch).toBe(b.batch);
        expect(b.stageTimes.stageSeconds.every((t) => t > 0)).toBe(true);
        for (const mode of [b.full, b.early, b.never, b.compiled.early, b.compiled.never]) {
          expect(mode.runs).toHaveLength(2);
          expect(mode.samplesPerSecond).toBe(median(mode.runs));
          expect(mode.accuracy).toBeGreaterThan(0.1);
        }
        expect(b.speedup).toBeCloseTo(b.early.samplesPerSecond / b.full.samplesPerSecond, 10);
        expect(b.impliedSpeedup).toBeCloseTo(1 / b.macRatio, 10);
        // Never-exit runs every stage and head: the same predictions as the full model, more MACs.
        expect(b.never.accuracy).toBe(b.full.accuracy);
        expect(b.neverMacOverhead).toBeGreaterThan(0);
        expect(b.macRatio).toBeLessThanOrEqual(1 + b.neverMacOverhead + 1e-9);
      }
      // Pooled early exit at batch 16 only: the exits and predictions of per-batch early exit, median of the runs.
      const [one, sixteen] = net.batches;
      expect(one!.pooled).toBeUndefined();
      const pooled = sixteen!.pooled!;
      expect(pooled.minRows).toBe(16);
      expect(pooled.sameExits).toBe(true);
      expect(pooled.mode.runs).toHaveLength(2);
      expect(pooled.mode.samplesPerSecond).toBe(median(pooled.mode.runs));
      expect(pooled.mode.accuracy).toBe(sixteen!.early.accuracy);
      expect(pooled.mode.meanMacs).toBeCloseTo(sixteen!.early.meanMacs, 6);
      expect(pooled.speedup).toBeCloseTo(pooled.mode.samplesPerSecond / sixteen!.full.samplesPerSecond, 10);
      // Every sample passes stage 0; pooled calls of a later stage hold at least as many rows on average.
      const rowsAt = (perStage: typeof pooled.perStage) => perStage.map((st) => st.rowsPerCall);
      expect(rowsAt(pooled.perStage)[0]).toBeGreaterThan(0);
      pooled.perStage.forEach((st, l) => {
        if (st.rowsPerCall > 0) expect(st.rowsPerCall).toBeGreaterThanOrEqual(sixteen!.breakdown.perStage[l]!.rowsPerCall - 1e-9);
      });
      // Exits and predictions do not depend on the batch size.
      expect(net.batches[0]!.early.accuracy).toBe(net.batches[1]!.early.accuracy);
    }
  });

  it('writes the results JSON, markdown, plot and README table', async () => {
    const json = JSON.parse(await readFile(join(outDir, 'bench.json'), 'utf8')) as BenchReport;
    expect(json.networks).toHaveLength(6);
    const md = await readFile(join(outDir, 'bench.md'), 'utf8');
    expect(md).toContain('| digits-cnn (node) | 16 |');
    expect(md).toContain('| torch-cnn (web) | 1 |');
    expect(md).toContain('| deep-mlp (web) | 16, pooled (min 16 rows;');
    expect(md).toContain('compiled / time-implied');
    expect(md).toContain('pooled speedup');
    expect(await readFile(join(outDir, 'bench-speedup.svg'), 'utf8')).toContain('<svg');
    const text = await readFile(readme, 'utf8');
    expect(text).toMatch(/^before\n<!-- bench-table:start -->\nMeasured/);
    expect(text).toContain('<!-- bench-table:end -->\nafter');
    expect(text).not.toContain('OLD-TABLE');
  });
});

describe('targets', () => {
  const row = (speedup: number, drop: number, never: number, efficiency: number) =>
    ({ speedup, accuracyDrop: drop, neverOverhead: never, efficiency }) as Parameters<typeof targets>[0];
  it('checks >= 2x at <= 0.5 points, never-exit within 5%, >= 90% of the MAC-implied speedup', () => {
    expect(targets(row(2, 0.5, 0.05, 0.9))).toEqual({ speedup: true, neverExit: true, efficiency: true });
    expect(targets(row(2.5, 0.55, 0.06, 0.89))).toEqual({ speedup: false, neverExit: false, efficiency: false });
    expect(targets(row(1.9, 0, 0, 1)).speedup).toBe(false);
  });
  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

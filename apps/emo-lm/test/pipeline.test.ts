import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMO_LM_OPTIONS, type EmoLmOptions } from '../src/options.js';
import { runEmoLm } from '../src/pipeline.js';
import type { EmoLmReport } from '../src/report.js';

describe('emo-lm on a tiny setting', () => {
  let report: EmoLmReport;
  let outDir: string;
  let cacheDir: string;
  const lines: string[] = [];
  const options = (): EmoLmOptions => ({
    ...DEFAULT_EMO_LM_OPTIONS,
    corpus: { fromYear: 1990, validationAddresses: 2, testAddresses: 2, vocabSize: 160, maxChars: 6000 },
    model: { context: 16, dModel: 16, layers: 2, heads: 2 },
    pretrain: { epochs: 2, batchSize: 16, learningRate: 3e-3, maxWindows: 400 },
    finetune: { windows: 32, epochs: 2, batchSize: 16, learningRate: 1e-3, mode: 'mle-emphasized' },
    evalWindows: 32,
    samples: { count: 12, promptLength: 8, steps: 8, topK: 10 },
    earlyExit: { thresholds: [0.2, 0.5, 0.9], tolerance: 0.5, sweepWindows: 3, speedWindows: 3 },
    speculative: { prompts: 3, points: [[1, 2], [1, 3]], batchSize: 2 },
    progress: false,
    cacheDir,
    outDir,
    log: (line: string) => lines.push(line),
  });

  beforeAll(async () => {
    await useWasmBackend();
    outDir = await mkdtemp(join(tmpdir(), 'emo-lm-out-'));
    cacheDir = await mkdtemp(join(tmpdir(), 'emo-lm-cache-'));
    report = await runEmoLm(options());
  }, 180_000);

  it('holds out whole addresses and learns something', () => {
    expect(report.corpus.addresses).toEqual({ train: 28, validation: 2, test: 2 });
    expect(report.rows.map((r) => r.model)).toEqual(['base (MLE pre-trained)', 'fine-tuned MLE', 'fine-tuned EMO']);
    // better than a uniform guess over the vocabulary at the last exit
    for (const row of report.rows) expect(row.perplexities[1]!).toBeLessThan(report.corpus.vocabSize);
    expect(report.training.pretrainLosses).toHaveLength(2);
    expect(report.training.finetuneLosses.emo).toHaveLength(2);
  });

  it('measures the quality of continuations', () => {
    for (const row of [...report.rows.map((r) => r.quality), report.human]) {
      expect(row.distinct1).toBeGreaterThan(0);
      expect(row.distinct1).toBeLessThanOrEqual(1);
      expect(row.repetition4).toBeGreaterThanOrEqual(0);
      expect(row.frechet).toBeGreaterThanOrEqual(-1e-9);
    }
  });

  it('decodes with real early exit for both fine-tuned models', () => {
    for (const r of [report.earlyExit.mle, report.earlyExit.emo]) {
      expect(r.sweep.points).toHaveLength(6);
      const lowest = r.sweep.points[0]!;
      const highest = r.sweep.points[2]!;
      expect(r.sweep.points[3]!.exitSet).toBe('first exit only');
      // a lower threshold lets at least as many tokens leave at the first exit, and costs no more
      expect(lowest.run.exitCounts[0]!).toBeGreaterThanOrEqual(highest.run.exitCounts[0]!);
      expect(lowest.relativeMacs).toBeLessThanOrEqual(highest.relativeMacs + 1e-9);
      const total = lowest.run.exitCounts.reduce((a, b) => a + b, 0);
      expect(total).toBe(3 * 16);
      if (r.test) {
        expect(r.test.full.tokens).toBe(r.test.early.tokens);
        expect(r.test.full.tokensPerSecond).toBeGreaterThan(0);
      }
    }
  });

  it('decodes greedily with self-speculative decoding, token for token as the full model', () => {
    for (const r of [report.speculative.mle, report.speculative.emo]) {
      expect(r.methods.map((m) => m.method).filter((m) => m.startsWith('self-speculative'))).toEqual([
        'self-speculative d=1 k=2',
        'self-speculative d=1 k=3',
        'self-speculative d=1 k=2, batch 2',
        'self-speculative d=1 k=3, batch 2',
      ]);
      for (const m of r.methods.filter((x) => x.method !== 'token-level early exit')) expect(m.identical).toBe(3);
      for (const m of r.methods.filter((x) => x.acceptance !== undefined)) {
        expect(m.acceptance).toBeGreaterThanOrEqual(0);
        expect(m.acceptance).toBeLessThanOrEqual(1);
        expect(m.tokensPerVerification).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('writes the tables and plots, and reuses the cached weights', async () => {
    const tables = await readFile(join(outDir, 'emo-lm-tables.md'), 'utf8');
    expect(tables).toContain('| fine-tuned EMO |');
    expect(tables).toContain('| human text |');
    expect(await readFile(join(outDir, 'emo-lm-early-exit.svg'), 'utf8')).toContain('<svg');
    expect(await readFile(join(outDir, 'emo-lm-exit-perplexity.svg'), 'utf8')).toContain('<svg');
    const again = await runEmoLm(options());
    expect(again.training.cached).toBe(true);
    expect(again.rows[2]!.perplexities).toEqual(report.rows[2]!.perplexities);
  }, 120_000);
});

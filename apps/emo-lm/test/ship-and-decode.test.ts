import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import { ConfigError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DecodingReport, runDecodingReport } from '../src/decoding-report.js';
import { DEFAULT_EMO_LM_OPTIONS, type EmoLmOptions } from '../src/options.js';
import { loadShippedModel, readShippedInfo } from '../src/shipped-model.js';
import { trainAndShip } from '../src/train-and-ship.js';

describe('shipping a tiny pair of models and the decoding report from them', () => {
  let modelDir: string;
  let report: DecodingReport;
  const lines: string[] = [];

  beforeAll(async () => {
    await useWasmBackend();
    const cacheDir = await mkdtemp(join(tmpdir(), 'emo-ship-cache-'));
    modelDir = await mkdtemp(join(tmpdir(), 'emo-ship-'));
    const options: EmoLmOptions = {
      ...DEFAULT_EMO_LM_OPTIONS,
      corpus: { fromYear: 1990, validationAddresses: 2, testAddresses: 2, vocabSize: 160, maxChars: 6000 },
      model: { context: 24, dModel: 16, layers: 3, heads: 2 },
      pretrain: { epochs: 1, batchSize: 16, learningRate: 3e-3, maxWindows: 200 },
      finetune: { windows: 32, epochs: 1, batchSize: 16, learningRate: 1e-3, mode: 'mle-emphasized' },
      layerSkip: { layerDropout: 0.2, exitWeights: 'layerskip', exitScale: 1, exitDistillation: 0.5 },
      progress: false,
      cacheDir,
      outDir: cacheDir,
      log: (line: string) => lines.push(line),
    };
    await trainAndShip(options, modelDir);
    report = await runDecodingReport({
      modelDir,
      outDir: await mkdtemp(join(tmpdir(), 'emo-decoding-')),
      speculative: { prompts: 3, promptLength: 8, steps: 8, points: [[1, 2], [2, 3, 0.2]], batchSize: 2 },
      evalWindows: 8,
      ortThreads: 1,
      log: (line: string) => lines.push(line),
    });
  }, 240_000);

  it('writes int8 weights, the tokenizer and model.json, and says what int8 storage cost in perplexity', async () => {
    const info = await readShippedInfo(modelDir);
    expect(info.model).toMatchObject({ layers: 3, dModel: 16, context: 24 });
    expect(info.training.layerSkip).toEqual({ layerDropout: 0.2, exitWeights: 'layerskip', exitScale: 1, exitDistillation: 0.5 });
    const [before, after] = info.quantization.perplexity.mle;
    expect(Math.abs(after - before) / before).toBeLessThan(0.05);
    expect(JSON.parse(await readFile(join(modelDir, info.tokenizer), 'utf8'))).toBeTypeOf('object');
  });

  it('decodes every prompt on tfjs and onnxruntime, speculative outputs equal to the full model’s', () => {
    for (const kind of ['mle', 'emo'] as const) {
      const r = report.speculative[kind];
      expect(report.perplexities[kind]).toHaveLength(3);
      expect(r.onnxFullMatchesTfjs).toBe(3);
      const names = r.methods.map((m) => m.method);
      expect(names).toContain('onnxruntime: self-speculative d=2 k=3 c=0.2, batch 2');
      expect(new Set(r.methods.map((m) => `${m.runtime} ${m.batch}`))).toEqual(new Set(['tfjs 1', 'tfjs 2', 'onnxruntime 1', 'onnxruntime 2']));
      for (const m of r.methods) {
        expect(m.identical, m.method).toBe(3);
        expect(m.tokensPerSecond).toBeGreaterThan(0);
      }
    }
  });

  it('refuses a model folder whose model.json is missing, malformed or does not fit, and a corrupt weights file', async () => {
    await expect(readShippedInfo(join(modelDir, 'nowhere'))).rejects.toThrow(/model-dir: expected a folder with model.json/);
    const broken = await mkdtemp(join(tmpdir(), 'emo-broken-'));
    await writeFile(join(broken, 'model.json'), '{"format": "offramp-emo-lm", "format": 1}');
    await expect(readShippedInfo(broken)).rejects.toThrow(ConfigError);
    const info = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8'));
    await writeFile(join(broken, 'model.json'), JSON.stringify({ ...info, model: { ...info.model, layers: 0 } }));
    await expect(readShippedInfo(broken)).rejects.toThrow(/model\.json: model\.layers: .*received 0/);
    const weights = await readFile(join(modelDir, 'mle.ckpt'));
    weights[weights.length - 3] ^= 0xff;
    await writeFile(join(broken, 'mle.ckpt'), weights);
    await expect(loadShippedModel(broken, info, 'mle')).rejects.toThrow(/payload: expected SHA-256/);
  });
});

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { updateMarkedSection } from '@offramp/app-kit';
import { writeFileAtomic } from '@offramp/core/node';
import { builtinGateRegistry } from '@offramp/gates';
import type { TransformerLm } from '@offramp/backbones';
import { tokenExitPolicy } from '@offramp/sequence';
import { type EarlyExitResult, evaluateEarlyExit } from './early-exit-eval.js';
import { evaluateSpeculative } from './speculative-eval.js';
import { trainModels } from './models.js';
import type { EmoLmOptions } from './options.js';
import { exitPerplexities } from './perplexity.js';
import { earlyExitChart, exitPerplexityChart } from './plot.js';
import { generateTexts, textQuality } from './quality.js';
import {
  earlyExitTable,
  type EmoLmReport,
  examplesList,
  type ModelRow,
  qualityTable,
  sameThresholdTable,
  speculativeTable,
} from './report.js';
import { cutWindows, sampleWindows, takeWindows } from './windows.js';

/**
 * The whole job: corpus and tokenizer, MLE base model, MLE and EMO fine-tuning on the same small subset,
 * held-out perplexity and sampled-continuation quality, then early-exit decoding of both fine-tuned models at
 * matched perplexity. Writes JSON, Markdown tables and SVG plots to outDir.
 */
export async function runEmoLm(options: EmoLmOptions, readme?: string): Promise<EmoLmReport> {
  const started = Date.now();
  const log = options.log;
  await mkdir(options.cacheDir, { recursive: true });
  await mkdir(options.outDir, { recursive: true });

  const { corpus, base, mle, emo, trainWindows, subset } = await trainModels(options);
  const vocabSize = corpus.tokenizer.vocabSize;
  const { context } = options.model;

  try {
    const testWindows = cutWindows(corpus.test, context + 1, context);
    const evalWindows = sampleWindows(testWindows, options.evalWindows, options.seed + 2);
    const { promptLength, steps, topK, count } = options.samples;
    const textWindows = sampleWindows(cutWindows(corpus.test, promptLength + steps), 2 * count, options.seed + 3);
    const half = Math.floor(textWindows.count / 2);
    const prompts = takeWindows(textWindows, Array.from({ length: half }, (_, i) => i));
    const otherHuman = takeWindows(textWindows, Array.from({ length: half }, (_, i) => half + i));

    const rows: ModelRow[] = [];
    const examples: { model: string; text: string }[] = [];
    const decodeRow = (tokens: Int32Array, row: number, length: number, from: number) =>
      corpus.tokenizer.decode(tokens.subarray(row * length + from, (row + 1) * length));
    examples.push({ model: 'prompt', text: corpus.tokenizer.decode(prompts.tokens.subarray(0, promptLength)) });
    for (const [name, model] of [
      ['base (MLE pre-trained)', base],
      ['fine-tuned MLE', mle],
      ['fine-tuned EMO', emo],
    ] as const) {
      const perplexities = await exitPerplexities(model.lm, evalWindows);
      const texts = await generateTexts(model.lm, prompts, { promptLength, steps, topK, seed: options.seed + 4 });
      const quality = await textQuality(texts, prompts, base.lm, promptLength);
      rows.push({ model: name, perplexities, quality });
      examples.push({ model: name, text: decodeRow(texts.tokens, 0, texts.length, promptLength) });
      log(`${name}: test perplexity ${perplexities.map((p) => p.toFixed(2)).join(' / ')}, Frechet ${quality.frechet.toFixed(3)}`);
    }
    const human = await textQuality(prompts, otherHuman, base.lm, promptLength);
    examples.push({ model: 'human continuation', text: decodeRow(prompts.tokens, 0, prompts.length, promptLength) });

    const gate = builtinGateRegistry().create('max-prob', { exits: options.model.layers, classes: vocabSize });
    const sweepWindows = sampleWindows(cutWindows(corpus.validation, context + 1, context), options.earlyExit.sweepWindows, options.seed + 5);
    const speedWindows = sampleWindows(testWindows, options.earlyExit.speedWindows, options.seed + 6);
    const { thresholds, tolerance } = options.earlyExit;
    const earlyMle = await evaluateEarlyExit(mle.lm, gate, sweepWindows, speedWindows, thresholds, tolerance);
    log(`early exit (MLE fine-tuned): ${earlyMle.chosen ? `${earlyMle.chosen.exitSet}, threshold ${earlyMle.chosen.threshold}` : 'none'}`);
    const earlyEmo = await evaluateEarlyExit(emo.lm, gate, sweepWindows, speedWindows, thresholds, tolerance);
    log(`early exit (EMO fine-tuned): ${earlyEmo.chosen ? `${earlyEmo.chosen.exitSet}, threshold ${earlyEmo.chosen.threshold}` : 'none'}`);
    const speculativeSettings = { ...options.speculative, promptLength, steps };
    const policyOf = (lm: TransformerLm, r: EarlyExitResult) => (r.chosen ? tokenExitPolicy(lm, gate, r.chosen.thresholds) : undefined);
    const speculative = {
      mle: await evaluateSpeculative(mle.lm, prompts, speculativeSettings, policyOf(mle.lm, earlyMle)),
      emo: await evaluateSpeculative(emo.lm, prompts, speculativeSettings, policyOf(emo.lm, earlyEmo)),
    };
    log('self-speculative decoding measured');

    const report: EmoLmReport = {
      corpus: {
        addresses: corpus.addresses,
        characters: corpus.characters,
        tokens: { train: corpus.train.length, validation: corpus.validation.length, test: corpus.test.length },
        vocabSize,
        heldOut: corpus.heldOut,
      },
      model: {
        layers: options.model.layers,
        dModel: options.model.dModel,
        heads: options.model.heads,
        context,
        parameters: base.lm.variables.reduce((s, v) => s + v.size, 0),
      },
      training: {
        pretrainWindows: trainWindows.count,
        finetuneWindows: subset.count,
        pretrainLosses: base.losses,
        finetuneLosses: { mle: mle.losses, emo: emo.losses },
        seconds: { pretrain: base.seconds, mle: mle.seconds, emo: emo.seconds },
        cached: base.cached,
      },
      rows,
      human,
      examples,
      earlyExit: { mle: earlyMle, emo: earlyEmo },
      speculative,
      tolerance,
      seconds: (Date.now() - started) / 1000,
    };
    const tables = `${qualityTable(report)}\n\n${earlyExitTable(report)}\n\nThe same thresholds on validation for both models:\n\n${sameThresholdTable(report)}\n\nGreedy decoding of held-out prompts, self-speculative and early exit against the full model (same run, interleaved):\n\n${speculativeTable(report.speculative)}\n\nSampled continuations of the first held-out prompt:\n\n${examplesList(report)}`;
    await writeFileAtomic(join(options.outDir, 'emo-lm.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFileAtomic(join(options.outDir, 'emo-lm-tables.md'), `${tables}\n`);
    await writeFileAtomic(join(options.outDir, 'emo-lm-early-exit.svg'), await earlyExitChart(report));
    await writeFileAtomic(join(options.outDir, 'emo-lm-exit-perplexity.svg'), await exitPerplexityChart(report));
    if (readme) await updateMarkedSection(readme, 'emo-lm-table', tables, { ifMissing: 'skip' });
    log(tables);
    return report;
  } finally {
    for (const m of [base, mle, emo]) m.lm.dispose();
  }
}

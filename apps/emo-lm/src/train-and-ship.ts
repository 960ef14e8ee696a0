import { performance } from 'node:perf_hooks';
import { type TrainedModel, trainModels } from './models.js';
import type { EmoLmOptions } from './options.js';
import { exitPerplexities } from './perplexity.js';
import { tokenizerFileName } from './corpus.js';
import { loadShippedModel, SHIPPED_KINDS, type ShippedKind, type ShippedModelInfo, shipWeights, writeShippedInfo } from './shipped-model.js';
import { cutWindows, sampleWindows } from './windows.js';

const trainedFor = (m: TrainedModel): number => m.trainingSeconds ?? m.seconds;

/** Validation windows on which shipping compares the last exit's perplexity before and after int8 storage. */
const CHECK_WINDOWS = 64;

/**
 * Trains the models (or loads them from the cache) and writes the fine-tuned MLE and EMO models to `dir` for the
 * decoding report (`decoding.js`), with the tokenizer and `model.json`; no evaluation beyond the storage check.
 */
export async function trainAndShip(options: EmoLmOptions, dir: string): Promise<ShippedModelInfo> {
  const started = performance.now();
  const { corpus, base, mle, emo, trainWindows, subset } = await trainModels(options);
  const trained = [base, mle, emo];
  const disposeTrained = () => {
    for (const m of trained.splice(0)) m.lm.dispose();
  };
  try {
    const { context } = options.model;
    const check = sampleWindows(cutWindows(corpus.validation, context + 1, context), CHECK_WINDOWS, options.seed + 5);
    const lastExit = async (lm: typeof mle.lm) => (await exitPerplexities(lm, check)).at(-1)!;
    const before = { mle: await lastExit(mle.lm), emo: await lastExit(emo.lm) };
    const tokenizer = tokenizerFileName({ ...options.corpus, seed: options.seed });
    const made = {
      format: 'offramp-emo-lm' as const,
      version: 1 as const,
      model: {
        vocabSize: mle.lm.vocabSize,
        context: mle.lm.context,
        dModel: mle.lm.dModel,
        layers: mle.lm.layers,
        heads: mle.lm.heads,
        ffnHidden: mle.lm.ffnHidden,
      },
      tokenizer,
      seed: options.seed,
      corpus: { ...options.corpus },
      training: {
        pretrainWindows: trainWindows.count,
        finetuneWindows: subset.count,
        layerSkip: { ...options.layerSkip },
        // the training's wall time (recorded with the cached weights), not the time to load them
        seconds: { pretrain: trainedFor(base), mle: trainedFor(mle), emo: trainedFor(emo) },
      },
    };
    await shipWeights(dir, { mle: mle.lm, emo: emo.lm }, tokenizer, options.cacheDir);
    // The shipped models have the trained ones' variable names, so those are freed first.
    disposeTrained();
    const after = {} as Record<ShippedKind, number>;
    for (const kind of SHIPPED_KINDS) {
      const shipped = await loadShippedModel(dir, made, kind);
      after[kind] = await lastExit(shipped).finally(() => shipped.dispose());
    }
    const info: ShippedModelInfo = {
      ...made,
      quantization: { kind: 'int8 per row', validationWindows: check.count, perplexity: { mle: [before.mle, after.mle], emo: [before.emo, after.emo] } },
    };
    await writeShippedInfo(dir, info);
    options.log(
      `shipped to ${dir} in ${((performance.now() - started) / 1000).toFixed(0)} s; last-exit validation perplexity before / after int8: ` +
        `MLE ${before.mle.toFixed(2)} / ${after.mle.toFixed(2)}, EMO ${before.emo.toFixed(2)} / ${after.emo.toFixed(2)}`,
    );
    return info;
  } finally {
    disposeTrained();
  }
}

import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransformerLm, type TransformerLm } from '@offramp/backbones';
import { ConfigError, describeValue, parseJsonText } from '@offramp/core';
import { readFileChecked, writeFileAtomic } from '@offramp/core/node';
import { loadVariables, saveVariables } from '@offramp/train';
import { z } from 'zod';

/** What `model.json` of a shipped pair of models says: enough to rebuild them and to tell how they were made. */
const shippedModelSchema = z.object({
  format: z.literal('offramp-emo-lm'),
  version: z.literal(1),
  model: z.object({
    vocabSize: z.number().int().positive(),
    context: z.number().int().positive(),
    dModel: z.number().int().positive(),
    layers: z.number().int().positive(),
    heads: z.number().int().positive(),
    ffnHidden: z.number().int().positive(),
  }),
  /** The tokenizer file in the same folder (named as the corpus cache names it). */
  tokenizer: z.string().regex(/^tokenizer-[\w.-]+\.json$/),
  seed: z.number().int(),
  corpus: z.object({ fromYear: z.number().int(), validationAddresses: z.number().int(), testAddresses: z.number().int(), vocabSize: z.number().int() }),
  training: z.object({
    pretrainWindows: z.number().int(),
    finetuneWindows: z.number().int(),
    layerSkip: z.object({
      layerDropout: z.number(),
      exitWeights: z.enum(['uniform', 'layerskip']),
      exitScale: z.number(),
      exitDistillation: z.number().optional(),
    }),
    seconds: z.object({ pretrain: z.number(), mle: z.number(), emo: z.number() }),
  }),
  /** How the weights are stored; perplexity of the last exit on validation windows before and after. */
  quantization: z.object({
    kind: z.literal('int8 per row'),
    validationWindows: z.number().int(),
    perplexity: z.object({ mle: z.tuple([z.number(), z.number()]), emo: z.tuple([z.number(), z.number()]) }),
  }),
});

export type ShippedModelInfo = z.infer<typeof shippedModelSchema>;

export const SHIPPED_KINDS = ['mle', 'emo'] as const;
export type ShippedKind = (typeof SHIPPED_KINDS)[number];

const weightsFile = (dir: string, kind: ShippedKind) => join(dir, `${kind}.ckpt`);

/**
 * Writes the fine-tuned MLE and EMO models to `dir` as int8 checkpoints (a scale per row) and the tokenizer (copied
 * from the cache); each file atomically. `writeShippedInfo` completes the folder.
 */
export async function shipWeights(dir: string, models: Readonly<Record<ShippedKind, TransformerLm>>, tokenizer: string, cacheDir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const kind of SHIPPED_KINDS) await saveVariables(weightsFile(dir, kind), models[kind].variables, { quantize: 'int8' });
  if (!(await readdir(dir)).includes(tokenizer)) await copyFile(join(cacheDir, tokenizer), join(dir, tokenizer));
}

/** Writes `model.json` (atomically), checked against its schema. */
export async function writeShippedInfo(dir: string, info: ShippedModelInfo): Promise<void> {
  await writeFileAtomic(join(dir, 'model.json'), `${JSON.stringify(shippedModelSchema.parse(info), null, 2)}\n`);
}

/** Reads and checks `model.json` of a shipped folder (a ConfigError naming the field when it does not fit). */
export async function readShippedInfo(dir: string): Promise<ShippedModelInfo> {
  const path = join(dir, 'model.json');
  const bytes = await readFileChecked(path, { field: 'model-dir', expected: 'a folder with model.json (written by --ship-dir)' });
  const json = parseJsonText(new TextDecoder().decode(bytes), { source: path, error: (d) => new ConfigError(d) });
  const parsed = shippedModelSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const received = issue.path.reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined), json);
    throw new ConfigError({ field: `${path}: ${issue.path.join('.') || '(root)'}`, expected: issue.message, received: describeValue(received) });
  }
  return parsed.data;
}

/** One shipped model, rebuilt and loaded (its checksum and shapes checked by loadVariables). */
export async function loadShippedModel(dir: string, info: Pick<ShippedModelInfo, 'model' | 'seed'>, kind: ShippedKind): Promise<TransformerLm> {
  const lm = createTransformerLm({ ...info.model, seed: info.seed, name: `emo-lm/${kind}` });
  try {
    await loadVariables(weightsFile(dir, kind), lm.variables);
    return lm;
  } catch (error) {
    lm.dispose();
    throw error;
  }
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@offramp/core/node';
import {
  BPE_END_OF_TEXT,
  BpeTokenizer,
  type BpeTokenizerJson,
  loadSotuAddresses,
  type SotuAddress,
  splitDocuments,
  trainBpe,
} from '@offramp/data';

export interface CorpusOptions {
  /** Addresses from this year on are used. */
  readonly fromYear: number;
  /** Whole addresses held out for validation and test. */
  readonly validationAddresses: number;
  readonly testAddresses: number;
  readonly vocabSize: number;
  readonly seed: number;
  /** Where the trained tokenizer is cached (none: always trained). */
  readonly cacheDir?: string;
  /** Use only the first `maxChars` characters of each address (small settings for tests). */
  readonly maxChars?: number;
}

/** Token streams of the three parts: the addresses of a part joined with end-of-text tokens. */
export interface Corpus {
  readonly tokenizer: BpeTokenizer;
  readonly train: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
  readonly addresses: { readonly train: number; readonly validation: number; readonly test: number };
  readonly characters: { readonly train: number; readonly validation: number; readonly test: number };
  /** "year name" of the held-out addresses. */
  readonly heldOut: { readonly validation: readonly string[]; readonly test: readonly string[] };
}

function encodeAll(tokenizer: BpeTokenizer, texts: readonly string[]): Int32Array {
  const parts = texts.map((t) => tokenizer.encode(t));
  const total = parts.reduce((s, p) => s + p.length + 1, 0);
  const out = new Int32Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
    out[offset] = BPE_END_OF_TEXT;
    offset += 1;
  }
  return out;
}

/** The tokenizer's file name in a cache folder: trained on these addresses with this vocabulary and split. */
export const tokenizerFileName = (options: Omit<CorpusOptions, 'cacheDir'>): string =>
  `tokenizer-${options.fromYear}-${options.vocabSize}-${options.seed}-${options.maxChars ?? 'all'}.json`;

async function tokenizerFor(texts: readonly string[], options: CorpusOptions): Promise<BpeTokenizer> {
  const file = options.cacheDir ? join(options.cacheDir, tokenizerFileName(options)) : undefined;
  if (file) {
    try {
      return new BpeTokenizer(JSON.parse(await readFile(file, 'utf8')) as BpeTokenizerJson);
    } catch {
      // not cached yet
    }
  }
  const tokenizer = trainBpe(texts, { vocabSize: options.vocabSize, minCharCount: 5 });
  if (file) await writeFileAtomic(file, JSON.stringify(tokenizer.toJSON()));
  return tokenizer;
}

/**
 * The State of the Union addresses from `fromYear` on, split by address with a seed; the tokenizer is trained on
 * the training addresses only.
 */
export async function loadCorpus(options: CorpusOptions): Promise<Corpus> {
  const chosen = loadSotuAddresses().filter((a) => a.year >= options.fromYear);
  const split = splitDocuments(chosen, {
    validation: options.validationAddresses,
    test: options.testAddresses,
    seed: options.seed,
  });
  const text = (a: SotuAddress): string => (options.maxChars ? a.text.slice(0, options.maxChars) : a.text);
  const trainTexts = split.train.map(text);
  const tokenizer = await tokenizerFor(trainTexts, options);
  const chars = (list: readonly SotuAddress[]) => list.reduce((s, a) => s + text(a).length, 0);
  return {
    tokenizer,
    train: encodeAll(tokenizer, trainTexts),
    validation: encodeAll(tokenizer, split.validation.map(text)),
    test: encodeAll(tokenizer, split.test.map(text)),
    addresses: { train: split.train.length, validation: split.validation.length, test: split.test.length },
    characters: { train: chars(split.train), validation: chars(split.validation), test: chars(split.test) },
    heldOut: {
      validation: split.validation.map((a) => `${a.year} ${a.name}`),
      test: split.test.map((a) => `${a.year} ${a.name}`),
    },
  };
}

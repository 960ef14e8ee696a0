import { shapeSize } from '@offramp/core';
import {
  clothesDataset,
  type DatasetSplit,
  type ImageDataset,
  loadFashionMnistRaw,
  loadMnistDigits,
  MNIST_DIGITS_SPLIT,
  splitDataset,
  subsetDataset,
} from '@offramp/data';
import type { LabelledData } from './dataset-file.js';
import { DataFileError } from './errors.js';

/**
 * This project's datasets by name, with the splits its models were trained on (seed 7):
 * - `fashion-mnist`: 60,000 train / 10,000 test images (the split of models/fashion-resnet and fashion-vit);
 * - `mnist`: the 10,000 digits of the `mnist` package, 7,000 train / 1,000 validation / 2,000 test (apps/digits).
 */
export const NAMED_DATASETS = {
  'fashion-mnist': { parts: { train: 60000, validation: 0, test: 10000 } },
  mnist: { parts: MNIST_DIGITS_SPLIT },
} as const;
type DatasetName = keyof typeof NAMED_DATASETS;
type PartName = 'train' | 'validation' | 'test';

/** A parsed `name:part[:start-end]` (rows start..end-1 of the part). */
export interface NamedDataSpec {
  readonly name: DatasetName;
  readonly part: PartName;
  readonly start: number;
  readonly end: number;
}

const PATTERN = /^(fashion-mnist|mnist):(train|validation|test)(?::(\d+)-(\d+))?$/;
const FORMAT = '<name>:<train|validation|test>[:<start>-<end>], name one of fashion-mnist, mnist';

/** Whether `text` names one of this project's datasets rather than a file. */
export function isNamedDataset(text: string): boolean {
  return /^(fashion-mnist|mnist):/.test(text);
}

/** Parses `fashion-mnist:train:0-10000`; a malformed spec or a range outside the part is a DataFileError naming `field`. */
export function parseNamedDataset(text: string, field: string): NamedDataSpec {
  const match = PATTERN.exec(text);
  if (!match) throw new DataFileError({ field, expected: FORMAT, received: JSON.stringify(text) });
  const name = match[1] as DatasetName;
  const part = match[2] as PartName;
  const size = NAMED_DATASETS[name].parts[part];
  const start = match[3] === undefined ? 0 : Number(match[3]);
  const end = match[4] === undefined ? size : Number(match[4]);
  if (!(start < end && end <= size)) {
    throw new DataFileError({
      field,
      expected: `a range start-end with start < end <= ${size} (${name} ${part} has ${size} images)`,
      received: JSON.stringify(text),
    });
  }
  return { name, part, start, end };
}

/** The last split loaded: attach reads train, validation and test parts of one dataset in a row. */
let lastSplit: { readonly key: string; readonly split: Promise<DatasetSplit> } | undefined;

function splitOf(name: DatasetName, cacheDir: string): Promise<DatasetSplit> {
  const key = `${name}\0${cacheDir}`;
  if (lastSplit?.key !== key) {
    const load = async () => {
      const all: ImageDataset = name === 'mnist' ? await loadMnistDigits() : clothesDataset(await loadFashionMnistRaw({ cacheDir }));
      return splitDataset(all, { ...NAMED_DATASETS[name].parts, seed: 7 });
    };
    const split = load();
    // A failed load is not kept.
    split.catch(() => {
      if (lastSplit?.split === split) lastSplit = undefined;
    });
    lastSplit = { key, split };
  }
  return lastSplit.split;
}

/**
 * Loads a named part (images in [0, 1]; one channel, so NCHW and NHWC are the same bytes), checking it fits
 * the model's input and class count. Fashion-MNIST is parsed once and cached in `cacheDir`.
 */
export async function readNamedDataset(
  text: string,
  field: string,
  inputShape: readonly number[],
  classes: number,
  cacheDir: string,
): Promise<LabelledData> {
  const spec = parseNamedDataset(text, field);
  if (shapeSize(inputShape) !== 28 * 28 || !inputShape.every((d) => d === 1 || d === 28)) {
    throw new DataFileError({
      field,
      expected: `a model input of 28 x 28 x 1 values (as ${spec.name}'s images)`,
      received: `an input of shape [${inputShape.join(', ')}]`,
    });
  }
  if (classes < 10) {
    throw new DataFileError({ field, expected: `a model with at least 10 outputs (${spec.name}'s classes)`, received: `${classes}` });
  }
  const split = await splitOf(spec.name, cacheDir);
  const rows = Int32Array.from({ length: spec.end - spec.start }, (_, i) => spec.start + i);
  const part = subsetDataset(split[spec.part], rows);
  return { images: part.images, labels: part.labels, n: part.n };
}

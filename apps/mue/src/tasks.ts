import {
  captionSet,
  entailmentSet,
  type ImageDataset,
  loadMnistDigits,
  splitDataset,
  type VisionLanguageSet,
} from '@offramp/data';

export interface MueTasks {
  readonly entailment: { train: VisionLanguageSet; validation: VisionLanguageSet; test: VisionLanguageSet };
  readonly caption: { train: VisionLanguageSet; validation: VisionLanguageSet; test: VisionLanguageSet };
}

/** Caption length with <eos>: the decoder's longest run. Entailment answers in one step. */
export const CAPTION_STEPS = 7;

/** Seeded split of the MNIST digits, then the entailment claims (seeded) and captions of every part. */
export function buildTasks(digits: ImageDataset, sizes: { train: number; validation: number; test: number }, seed: number): MueTasks {
  const split = splitDataset(digits, { ...sizes, seed });
  const part = (ds: ImageDataset, offset: number) => ({
    // training sees every image with a claim that holds and one that does not; evaluation one claim per image
    entailment: entailmentSet(ds, seed * 10 + offset, { claimsPerImage: offset === 1 ? 2 : 1 }),
    caption: captionSet(ds, { steps: CAPTION_STEPS }),
  });
  const train = part(split.train, 1);
  const validation = part(split.validation, 2);
  const test = part(split.test, 3);
  return {
    entailment: { train: train.entailment, validation: validation.entailment, test: test.entailment },
    caption: { train: train.caption, validation: validation.caption, test: test.caption },
  };
}

export async function loadTasks(sizes: { train: number; validation: number; test: number }, seed: number): Promise<MueTasks> {
  return buildTasks(await loadMnistDigits(), sizes, seed);
}

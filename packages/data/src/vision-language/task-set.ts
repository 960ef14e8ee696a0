import { ArgumentError, checkWholeNumber, createRng, type Rng } from '@offramp/core';
import type { ImageDataset } from '../dataset.js';
import { CAPTION_PROMPT, CLAIM_KINDS, type Claim, captionOf, claimsAbout } from './claims.js';
import { VL_BOS, VL_EOS, VL_PAD, VL_VOCABULARY } from './vocabulary.js';

/** Target value of decoder positions that count for nothing. */
export const VL_IGNORE = -1;

/**
 * One vision-language task over a set of images: the text stream's tokens, the decoder's inputs (teacher
 * forcing, starting with <bos>) and targets (ending with <eos> for captions, padded with VL_IGNORE).
 */
export interface VisionLanguageSet {
  readonly task: 'entailment' | 'caption';
  readonly n: number;
  /** n x 784 pixels in [0, 1] (28 x 28 MNIST digits). */
  readonly images: Float32Array;
  readonly imageShape: readonly [number, number, number];
  /** The digit shown by each image. */
  readonly digits: Int32Array;
  /** Tokens per text (padded with VL_PAD). */
  readonly textLength: number;
  /** n x textLength token ids. */
  readonly text: Int32Array;
  /** Decoder positions per sample. */
  readonly steps: number;
  /** n x steps decoder inputs: <bos> then the target shifted right (VL_PAD after the end). */
  readonly decoderInput: Int32Array;
  /** n x steps targets (VL_IGNORE after the end). */
  readonly targets: Int32Array;
  /** Entailment: 1 when the claim holds (answer "yes"), else 0. Captioning: the digit. */
  readonly labels: Int32Array;
  /** The text of each sample's claim or prompt. */
  readonly texts: readonly string[];
}

export interface TaskSetOptions {
  /** Tokens per text. Default 6 (the longest claim and the prompt). */
  readonly textLength?: number;
  /** Decoder positions. Default: 1 for entailment, 7 for captions. */
  readonly steps?: number;
}

export interface EntailmentOptions extends TaskSetOptions {
  /**
   * 1 (default): one claim per image, half of all claims holding. 2: every image twice in a row, first with a
   * claim that holds, then with one that does not (contrasting pairs, for training).
   */
  readonly claimsPerImage?: 1 | 2;
}

function encodeInto(out: Int32Array, offset: number, ids: readonly number[], length: number, field: string): void {
  if (ids.length > length) {
    throw new ArgumentError({ field, expected: `at most ${length} tokens`, received: `${ids.length} tokens` });
  }
  out.fill(VL_PAD, offset, offset + length);
  out.set(ids, offset);
}

function build(
  task: VisionLanguageSet['task'],
  images: ImageDataset,
  textLength: number,
  steps: number,
  sample: (digit: number, i: number) => { text: string; answer: number[]; label: number },
): VisionLanguageSet {
  if (images.shape[0] !== 28 || images.shape[1] !== 28 || images.shape[2] !== 1 || images.classes !== 10) {
    throw new ArgumentError({
      field: 'images',
      expected: '28 x 28 x 1 digits of 10 classes',
      received: `${images.shape.join(' x ')} images of ${images.classes} classes`,
    });
  }
  checkWholeNumber(textLength, 1, 'textLength');
  checkWholeNumber(steps, 1, 'steps');
  const n = images.n;
  const text = new Int32Array(n * textLength);
  const decoderInput = new Int32Array(n * steps);
  const targets = new Int32Array(n * steps).fill(VL_IGNORE);
  const labels = new Int32Array(n);
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = sample(images.labels[i]!, i);
    encodeInto(text, i * textLength, VL_VOCABULARY.encode(s.text), textLength, `texts[${i}]`);
    if (s.answer.length > steps) {
      throw new ArgumentError({ field: 'steps', expected: `at least ${s.answer.length}`, received: String(steps) });
    }
    encodeInto(decoderInput, i * steps, [VL_BOS, ...s.answer.slice(0, -1)], steps, `answers[${i}]`);
    targets.set(s.answer, i * steps);
    labels[i] = s.label;
    texts.push(s.text);
  }
  return {
    task,
    n,
    images: images.images,
    imageShape: [28, 28, 1],
    digits: Int32Array.from(images.labels),
    textLength,
    text,
    steps,
    decoderInput,
    targets,
    labels,
    texts,
  };
}

/** Every image twice in a row. */
function repeatEach(ds: ImageDataset): ImageDataset {
  const size = ds.images.length / ds.n;
  const images = new Float32Array(ds.images.length * 2);
  const labels = new Int32Array(ds.n * 2);
  for (let i = 0; i < ds.n; i++) {
    const image = ds.images.subarray(i * size, (i + 1) * size);
    images.set(image, 2 * i * size);
    images.set(image, (2 * i + 1) * size);
    labels[2 * i] = ds.labels[i]!;
    labels[2 * i + 1] = ds.labels[i]!;
  }
  return { ...ds, images, labels, n: ds.n * 2 };
}

/** A claim that holds (or not, by `holds`) about `digit`, of a random kind that has one. */
function pickClaim(rng: Rng, digit: number, holds: boolean): Claim {
  const kinds = CLAIM_KINDS.filter((kind) => claimsAbout(digit, kind).some((c) => c.holds === holds));
  const kind = kinds[rng.int(kinds.length)]!;
  const options = claimsAbout(digit, kind).filter((c) => c.holds === holds);
  return options[rng.int(options.length)]!;
}

/**
 * Visual entailment: each image with a claim about its digit ("this is an even digit", "the digit is greater
 * than five", "this is a seven", ...); the answer is "yes" when the claim holds, else "no". Exactly half the
 * samples (rounded down) hold, in a seeded random order (or in contrasting pairs, see claimsPerImage); the claim
 * kind is drawn at random among those that can give the wanted answer.
 */
export function entailmentSet(images: ImageDataset, seed: number, options: EntailmentOptions = {}): VisionLanguageSet {
  const rng = createRng(seed);
  const perImage = options.claimsPerImage ?? 1;
  if (perImage !== 1 && perImage !== 2) {
    throw new ArgumentError({ field: 'claimsPerImage', expected: '1 or 2', received: String(perImage) });
  }
  if (perImage === 2) images = repeatEach(images);
  const n = images.n;
  const holds = Array.from({ length: n }, (_, i) => (perImage === 2 ? i % 2 === 0 : i < Math.floor(n / 2)));
  if (perImage === 1) rng.shuffle(holds);
  const yes = VL_VOCABULARY.id('yes');
  const no = VL_VOCABULARY.id('no');
  return build('entailment', images, options.textLength ?? 6, options.steps ?? 1, (digit, i) => {
    const claim = pickClaim(rng, digit, holds[i]!);
    return { text: claim.text, answer: [claim.holds ? yes : no], label: claim.holds ? 1 : 0 };
  });
}

/** Captioning: each image with the prompt "what does the image show ?"; the answer is captionOf(digit) + <eos>. */
export function captionSet(images: ImageDataset, options: TaskSetOptions = {}): VisionLanguageSet {
  return build('caption', images, options.textLength ?? 6, options.steps ?? 7, (digit) => ({
    text: CAPTION_PROMPT,
    answer: [...VL_VOCABULARY.encode(captionOf(digit)), VL_EOS],
    label: digit,
  }));
}

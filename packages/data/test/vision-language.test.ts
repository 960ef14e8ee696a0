import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import {
  captionOf,
  captionSet,
  claimsAbout,
  createImageDataset,
  entailmentSet,
  VL_BOS,
  VL_EOS,
  VL_IGNORE,
  VL_VOCABULARY,
} from '../src/index.js';

function digits(labels: number[]) {
  const images = Float32Array.from({ length: labels.length * 784 }, (_, k) => (k % 7) / 7);
  return createImageDataset(images, Int32Array.from(labels), [28, 28, 1], 10);
}

const labels = Array.from({ length: 40 }, (_, i) => i % 10);

describe('claims', () => {
  it('states parity, comparison with five and identity truthfully', () => {
    expect(claimsAbout(7, 'parity')).toEqual([
      { text: 'this is an even digit', holds: false },
      { text: 'this is an odd digit', holds: true },
    ]);
    expect(claimsAbout(5, 'size').map((c) => c.holds)).toEqual([false, false]);
    expect(claimsAbout(3, 'identity').filter((c) => c.holds).map((c) => c.text)).toEqual(['this is a three']);
    expect(claimsAbout(8, 'identity')[8]!.text).toBe('this is an eight');
  });

  it('captions a digit by name, parity and size', () => {
    expect(captionOf(7)).toBe('a seven , odd , large');
    expect(captionOf(2)).toBe('a two , even , small');
    expect(() => captionOf(10)).toThrow(ArgumentError);
  });
});

describe('entailmentSet', () => {
  const set = entailmentSet(digits(labels), 3);

  it('is balanced and answers each claim truthfully', () => {
    expect(set.n).toBe(40);
    expect(set.labels.reduce((a, b) => a + b, 0)).toBe(20);
    const yes = VL_VOCABULARY.id('yes');
    for (let i = 0; i < set.n; i++) {
      const digit = set.digits[i]!;
      const all = [...claimsAbout(digit, 'parity'), ...claimsAbout(digit, 'size'), ...claimsAbout(digit, 'identity')];
      const claim = all.find((c) => c.text === set.texts[i]);
      expect(claim?.holds).toBe(set.labels[i] === 1);
      expect(set.targets[i]).toBe(set.labels[i] === 1 ? yes : VL_VOCABULARY.id('no'));
      expect(set.decoderInput[i]).toBe(VL_BOS);
      expect(VL_VOCABULARY.decode(set.text.subarray(i * 6, (i + 1) * 6))).toBe(set.texts[i]);
    }
  });

  it('is the same for the same seed and differs for another', () => {
    expect(entailmentSet(digits(labels), 3).texts).toEqual(set.texts);
    expect(entailmentSet(digits(labels), 4).texts).not.toEqual(set.texts);
  });

  it('makes contrasting pairs: each image once with a claim that holds, then with one that does not', () => {
    const pairs = entailmentSet(digits([3, 8]), 1, { claimsPerImage: 2 });
    expect(pairs.n).toBe(4);
    expect(Array.from(pairs.digits)).toEqual([3, 3, 8, 8]);
    expect(Array.from(pairs.labels)).toEqual([1, 0, 1, 0]);
    expect(Array.from(pairs.images.subarray(784, 2 * 784))).toEqual(Array.from(pairs.images.subarray(0, 784)));
  });

  it('pads the decoder when asked for more steps', () => {
    const padded = entailmentSet(digits([1, 2]), 0, { steps: 3 });
    expect(Array.from(padded.targets.subarray(0, 3)).slice(1)).toEqual([VL_IGNORE, VL_IGNORE]);
  });
});

describe('captionSet', () => {
  it('teaches the caption token by token, ending with <eos>', () => {
    const set = captionSet(digits([7]));
    const caption = VL_VOCABULARY.encode('a seven , odd , large');
    expect(Array.from(set.targets)).toEqual([...caption, VL_EOS]);
    expect(Array.from(set.decoderInput)).toEqual([VL_BOS, ...caption]);
    expect(VL_VOCABULARY.decode(set.targets)).toBe('a seven , odd , large');
    expect(set.texts[0]).toBe('what does the image show ?');
  });

  it('rejects too few steps and images that are not digits', () => {
    expect(() => captionSet(digits([7]), { steps: 3 })).toThrow(ArgumentError);
    const small = createImageDataset(new Float32Array(4), Int32Array.from([1]), [2, 2, 1], 10);
    expect(() => captionSet(small)).toThrow(ArgumentError);
    expect(() => VL_VOCABULARY.encode('a cat')).toThrow(ArgumentError);
  });
});

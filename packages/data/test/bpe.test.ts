import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { BPE_END_OF_TEXT, BPE_UNKNOWN, BpeTokenizer, pretokenize, trainBpe } from '../src/index.js';

describe('pretokenize', () => {
  it('splits words, numbers, symbols and spaces and gives the text back', () => {
    const text = 'In 1990, the  Union is\nstrong!';
    const pieces = pretokenize(text);
    expect(pieces).toEqual(['In', ' 1990', ',', ' the', ' ', ' Union', ' is', '\n', 'strong', '!']);
    expect(pieces.join('')).toBe(text);
  });
});

describe('trainBpe', () => {
  // Pieces: 'ab' x1, ' ab' x2, ' abc' x1. Pair counts: (a,b) 4, (' ',a) 3, (b,c) 1.
  // Merge 1: a+b -> 'ab' (4 times); then (' ', ab) 3 times -> ' ab'; then (' ab', c) occurs once: stop.
  const tokenizer = trainBpe(['ab ab ab abc'], { vocabSize: 10 });

  it('learns the hand-computed merges and stops when no pair occurs twice', () => {
    expect(tokenizer.tokens).toEqual(['<unk>', '<|endoftext|>', ' ', 'a', 'b', 'c', 'ab', ' ab']);
    expect(tokenizer.toJSON().merges).toEqual([
      [3, 4],
      [2, 6],
    ]);
    expect(tokenizer.vocabSize).toBe(8);
  });

  it('encodes with the merges in order and decodes back', () => {
    expect([...tokenizer.encode('ab abc')]).toEqual([6, 7, 5]);
    expect(tokenizer.decode(tokenizer.encode('ab abc'))).toBe('ab abc');
  });

  it('encodes unknown characters to <unk> and leaves specials out of decode unless asked', () => {
    expect([...tokenizer.encode('abz')]).toEqual([6, BPE_UNKNOWN]);
    expect(tokenizer.decode([6, BPE_END_OF_TEXT, 7])).toBe('ab ab');
    expect(tokenizer.decode([6, BPE_END_OF_TEXT], true)).toBe('ab<|endoftext|>');
  });

  it('stops at vocabSize and is deterministic', () => {
    const small = trainBpe(['ab ab ab abc'], { vocabSize: 7 });
    expect(small.tokens.at(-1)).toBe('ab');
    const text = 'the state of the union is strong, the union of the states';
    expect(trainBpe([text], { vocabSize: 30 }).toJSON()).toEqual(trainBpe([text], { vocabSize: 30 }).toJSON());
  });

  it('round-trips a longer text and through JSON', () => {
    const text = 'We the People of the United States, in Order to form a more perfect Union, establish Justice.';
    const trained = trainBpe([text, text], { vocabSize: 60 });
    const copy = new BpeTokenizer(JSON.parse(JSON.stringify(trained.toJSON())));
    expect(copy.decode(copy.encode(text))).toBe(text);
    expect([...copy.encode(text)]).toEqual([...trained.encode(text)]);
    expect(trained.encode(text).length).toBeLessThan(text.length * 0.6);
  });

  it('leaves rare characters out of the alphabet with minCharCount', () => {
    const trained = trainBpe(['aaa b'], { vocabSize: 6, minCharCount: 2 });
    expect(trained.tokens).toEqual(['<unk>', '<|endoftext|>', 'a', 'aa']);
  });

  it('rejects bad options and bad ids', () => {
    expect(() => trainBpe(['abc'], { vocabSize: 3 })).toThrow(/vocabSize/);
    expect(() => trainBpe(['abc'], { vocabSize: 10, minCharCount: 0 })).toThrow(ArgumentError);
    expect(() => tokenizer.decode([99])).toThrow(/ids\[0\]/);
    expect(() => new BpeTokenizer({ specials: ['<unk>'], alphabet: ['a'], merges: [[0, 1]] })).toThrow(/merges\[0\]/);
  });
});

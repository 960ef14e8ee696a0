import { ArgumentError } from '@offramp/core';

/** Names of the digits 0-9 as words. */
export const DIGIT_WORDS = Object.freeze([
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
]);

/** Padding (id 0), start of the decoded sequence (id 1) and end of it (id 2). */
export const VL_PAD = 0;
export const VL_BOS = 1;
export const VL_EOS = 2;

const WORDS = [
  '<pad>',
  '<bos>',
  '<eos>',
  ...DIGIT_WORDS,
  'this',
  'is',
  'an',
  'a',
  'even',
  'odd',
  'digit',
  'the',
  'greater',
  'less',
  'than',
  'what',
  'does',
  'image',
  'show',
  '?',
  ',',
  'large',
  'small',
  'yes',
  'no',
];

/** The word-level vocabulary of the MNIST vision-language tasks. */
export class WordVocabulary {
  readonly words: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  constructor(words: readonly string[] = WORDS) {
    this.words = Object.freeze([...words]);
    this.ids = new Map(words.map((w, i) => [w, i]));
    if (this.ids.size !== words.length) {
      throw new ArgumentError({ field: 'words', expected: 'distinct words', received: 'a repeated word' });
    }
  }

  get size(): number {
    return this.words.length;
  }

  /** Id of a word; throws for a word outside the vocabulary. */
  id(word: string): number {
    const id = this.ids.get(word);
    if (id === undefined) {
      throw new ArgumentError({ field: 'word', expected: 'a word of the vocabulary', received: JSON.stringify(word) });
    }
    return id;
  }

  /** Ids of the space-separated words of `text`. */
  encode(text: string): number[] {
    return text.split(' ').filter((w) => w.length > 0).map((w) => this.id(w));
  }

  /** The words of `ids` up to the first end or padding id, joined by spaces. */
  decode(ids: ArrayLike<number>): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === VL_EOS || id === VL_PAD) break;
      if (id === VL_BOS) continue;
      out.push(this.words[id] ?? '<?>');
    }
    return out.join(' ');
  }
}

/** The vocabulary shared by the entailment and captioning tasks. */
export const VL_VOCABULARY = new WordVocabulary();

import { ArgumentError } from '@offramp/core';
import { pretokenize } from './bpe-pretokenize.js';
import { BPE_SPECIALS, BpeTokenizer } from './bpe-tokenizer.js';

export interface BpeTrainOptions {
  /** Size of the vocabulary: specials + alphabet + merges. */
  readonly vocabSize: number;
  /** Characters seen fewer times than this are left out of the alphabet (they encode to `<unk>`); default 1. */
  readonly minCharCount?: number;
}

function pairKey(a: number, b: number): number {
  return a * 1_048_576 + b;
}

interface Word {
  ids: number[];
  readonly count: number;
}

function countPieces(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const piece of pretokenize(text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  return counts;
}

function buildAlphabet(pieces: Map<string, number>, minCharCount: number): string[] {
  const chars = new Map<string, number>();
  for (const [piece, count] of pieces) {
    for (const c of piece) chars.set(c, (chars.get(c) ?? 0) + count);
  }
  return [...chars].filter(([, n]) => n >= minCharCount).map(([c]) => c).sort();
}

/**
 * Trains byte-pair encoding on texts: starting from the characters, repeatedly merges the most frequent adjacent
 * pair of tokens inside a piece (ties go to the pair of smaller ids) until the vocabulary has `vocabSize` tokens
 * or no pair occurs twice. Deterministic: the same texts give the same tokenizer.
 */
export function trainBpe(texts: readonly string[], options: BpeTrainOptions): BpeTokenizer {
  const minCharCount = options.minCharCount ?? 1;
  if (!Number.isInteger(minCharCount) || minCharCount < 1) {
    throw new ArgumentError({ field: 'minCharCount', expected: 'a whole number >= 1', received: String(minCharCount) });
  }
  const pieces = countPieces(texts);
  const alphabet = buildAlphabet(pieces, minCharCount);
  const base = BPE_SPECIALS.length + alphabet.length;
  if (!Number.isInteger(options.vocabSize) || options.vocabSize < base) {
    throw new ArgumentError({
      field: 'vocabSize',
      expected: `a whole number >= ${base} (the specials and the ${alphabet.length} characters of the texts)`,
      received: String(options.vocabSize),
    });
  }
  const charIds = new Map(alphabet.map((c, i) => [c, BPE_SPECIALS.length + i]));
  const words: Word[] = [...pieces].map(([piece, count]) => ({
    ids: Array.from(piece, (c) => charIds.get(c) ?? -1),
    count,
  }));

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: number): void => {
    const { ids, count } = words[w]!;
    for (let i = 0; i + 1 < ids.length; i++) {
      if (ids[i]! < 0 || ids[i + 1]! < 0) continue; // unknown characters never merge
      const key = pairKey(ids[i]!, ids[i + 1]!);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * count);
      if (sign > 0) {
        const set = pairWords.get(key);
        if (set) set.add(w);
        else pairWords.set(key, new Set([w]));
      }
    }
  };
  words.forEach((_, w) => {
    addPairs(w, 1);
  });

  const merges: [number, number][] = [];
  while (base + merges.length < options.vocabSize) {
    let bestKey = -1;
    let bestCount = 1;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && count > 1 && key < bestKey)) {
        bestKey = key;
        bestCount = count;
      }
    }
    if (bestKey < 0) break;
    const a = Math.floor(bestKey / 1_048_576);
    const b = bestKey % 1_048_576;
    const merged = base + merges.length;
    merges.push([a, b]);
    for (const w of pairWords.get(bestKey) ?? []) {
      const word = words[w]!;
      addPairs(w, -1);
      const next: number[] = [];
      for (let i = 0; i < word.ids.length; i++) {
        if (i + 1 < word.ids.length && word.ids[i] === a && word.ids[i + 1] === b) {
          next.push(merged);
          i++;
        } else {
          next.push(word.ids[i]!);
        }
      }
      word.ids = next;
      addPairs(w, 1);
    }
    pairCounts.delete(bestKey);
    pairWords.delete(bestKey);
  }
  return new BpeTokenizer({ specials: BPE_SPECIALS, alphabet, merges });
}

import { ArgumentError } from '@offramp/core';
import { pretokenize } from './bpe-pretokenize.js';

/** The serialisable form of a tokenizer: special tokens, the base characters and the merges in order. */
export interface BpeTokenizerJson {
  readonly specials: readonly string[];
  readonly alphabet: readonly string[];
  /** Merge r joins the tokens with ids merges[r][0] and merges[r][1] into token specials + alphabet + r. */
  readonly merges: readonly (readonly [number, number])[];
}

/** Id of the unknown-character token (characters not in the alphabet encode to it). */
export const BPE_UNKNOWN = 0;
/** Id of the end-of-text token placed between documents. */
export const BPE_END_OF_TEXT = 1;
export const BPE_SPECIALS = Object.freeze(['<unk>', '<|endoftext|>']);

function pairKey(a: number, b: number): number {
  return a * 1_048_576 + b;
}

/** A byte-pair-encoding tokenizer: pieces of the text (see pretokenize) are split into characters, then merged. */
export class BpeTokenizer {
  readonly vocabSize: number;
  /** The text of every token id. */
  readonly tokens: readonly string[];
  readonly #json: BpeTokenizerJson;
  readonly #charIds: Map<string, number>;
  readonly #ranks: Map<number, number>;
  readonly #pieceCache = new Map<string, readonly number[]>();

  constructor(json: BpeTokenizerJson) {
    const { specials, alphabet, merges } = json;
    if (!Array.isArray(specials) || !Array.isArray(alphabet) || !Array.isArray(merges)) {
      throw new ArgumentError({
        field: 'tokenizer',
        expected: '{ specials: string[], alphabet: string[], merges: [number, number][] }',
        received: JSON.stringify(Object.keys(json ?? {})),
      });
    }
    const tokens = [...specials, ...alphabet];
    this.#charIds = new Map(alphabet.map((c, i) => [c, specials.length + i]));
    this.#ranks = new Map();
    merges.forEach(([a, b], r) => {
      const size = tokens.length;
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < specials.length || b < specials.length || a >= size || b >= size) {
        throw new ArgumentError({
          field: `merges[${r}]`,
          expected: `two ids of earlier non-special tokens in [${specials.length}, ${size - 1}]`,
          received: JSON.stringify([a, b]),
        });
      }
      this.#ranks.set(pairKey(a, b), r);
      tokens.push(tokens[a]! + tokens[b]!);
    });
    this.tokens = Object.freeze(tokens);
    this.vocabSize = tokens.length;
    this.#json = { specials: [...specials], alphabet: [...alphabet], merges: merges.map(([a, b]) => [a, b] as const) };
  }

  #encodePiece(piece: string): readonly number[] {
    const known = this.#pieceCache.get(piece);
    if (known) return known;
    let ids = Array.from(piece, (c) => this.#charIds.get(c) ?? BPE_UNKNOWN);
    for (;;) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < ids.length; i++) {
        const rank = this.#ranks.get(pairKey(ids[i]!, ids[i + 1]!));
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const merged = this.#json.specials.length + this.#json.alphabet.length + bestRank;
      const [a, b] = this.#json.merges[bestRank]!;
      const next: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
          next.push(merged);
          i++;
        } else {
          next.push(ids[i]!);
        }
      }
      ids = next;
    }
    const frozen = Object.freeze(ids);
    if (this.#pieceCache.size < 200_000) this.#pieceCache.set(piece, frozen);
    return frozen;
  }

  /** Token ids of a text (no special tokens are added). */
  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const piece of pretokenize(text)) {
      for (const id of this.#encodePiece(piece)) out.push(id);
    }
    return Int32Array.from(out);
  }

  /** The text of a sequence of ids; special tokens are left out unless `keepSpecials`. */
  decode(ids: ArrayLike<number>, keepSpecials = false): string {
    let text = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new ArgumentError({ field: `ids[${i}]`, expected: `a token id in [0, ${this.vocabSize - 1}]`, received: String(id) });
      }
      if (id < this.#json.specials.length && !keepSpecials) continue;
      text += this.tokens[id]!;
    }
    return text;
  }

  toJSON(): BpeTokenizerJson {
    return this.#json;
  }
}

/**
 * Splits text into the pieces BPE merges never cross: runs of letters, of digits or of other symbols, each with the
 * one space before it, and runs of whitespace. Concatenating the pieces gives the text back.
 */
const PIECE = / ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export function pretokenize(text: string): string[] {
  return text.match(PIECE) ?? [];
}

import { ArgumentError } from '@offramp/core';
import { DIGIT_WORDS } from './vocabulary.js';

/** A statement about a digit and whether it holds. */
export interface Claim {
  readonly text: string;
  readonly holds: boolean;
}

/** The kinds of claim: parity, comparison with five, identity. */
export const CLAIM_KINDS = Object.freeze(['parity', 'size', 'identity'] as const);
export type ClaimKind = (typeof CLAIM_KINDS)[number];

function checkDigit(digit: number): void {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
    throw new ArgumentError({ field: 'digit', expected: 'a whole number in [0, 9]', received: String(digit) });
  }
}

/** Every claim of one kind about `digit`, each with its truth value. */
export function claimsAbout(digit: number, kind: ClaimKind): Claim[] {
  checkDigit(digit);
  switch (kind) {
    case 'parity':
      return [
        { text: 'this is an even digit', holds: digit % 2 === 0 },
        { text: 'this is an odd digit', holds: digit % 2 === 1 },
      ];
    case 'size':
      return [
        { text: 'the digit is greater than five', holds: digit > 5 },
        { text: 'the digit is less than five', holds: digit < 5 },
      ];
    case 'identity':
      return DIGIT_WORDS.map((word, d) => ({ text: `this is ${d === 8 ? 'an' : 'a'} ${word}`, holds: d === digit }));
  }
}

/** The caption of a digit: "a seven , odd , large" (large for 5-9, small for 0-4). */
export function captionOf(digit: number): string {
  checkDigit(digit);
  return `a ${DIGIT_WORDS[digit]} , ${digit % 2 === 0 ? 'even' : 'odd'} , ${digit >= 5 ? 'large' : 'small'}`;
}

/** The text the captioning task feeds the encoder's text stream. */
export const CAPTION_PROMPT = 'what does the image show ?';

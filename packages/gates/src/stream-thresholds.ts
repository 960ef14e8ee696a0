import { checkThreshold } from './whole-batch-similarity.js';

/** MuE's three similarity thresholds: one per encoder stream and one for the decoder. */
export interface StreamThresholds {
  readonly image: number;
  readonly text: number;
  readonly decoder: number;
}

/** Checks every threshold of a StreamThresholds (each a finite number >= -1) and returns a frozen copy. */
export function streamThresholds(value: StreamThresholds): StreamThresholds {
  checkThreshold(value.image, 'thresholds.image');
  checkThreshold(value.text, 'thresholds.text');
  checkThreshold(value.decoder, 'thresholds.decoder');
  return Object.freeze({ image: value.image, text: value.text, decoder: value.decoder });
}

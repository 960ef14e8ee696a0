import type { TransformerLm } from '@offramp/backbones';
import type { ExitPolicy } from '@offramp/core';
import { TokenDecoder } from '@offramp/sequence';
import type { Windows } from './windows.js';

/** Teacher-forced token-by-token decoding of windows: what a decoder spends and how well it predicts. */
export interface DecodeRun {
  readonly perplexity: number;
  readonly tokens: number;
  readonly seconds: number;
  readonly tokensPerSecond: number;
  /** Mean MACs per token (layers, heads and copied key/value projections actually computed). */
  readonly macsPerToken: number;
  /** Tokens that left at each exit. */
  readonly exitCounts: readonly number[];
}

interface Tally {
  nll: number;
  tokens: number;
  seconds: number;
  macs: number;
  exits: number[];
}

function emptyTally(layers: number): Tally {
  return { nll: 0, tokens: 0, seconds: 0, macs: 0, exits: Array.from({ length: layers }, () => 0) };
}

async function decodeWindow(lm: TransformerLm, window: Int32Array, policy: ExitPolicy | undefined, tally: Tally) {
  const decoder = new TokenDecoder(lm, policy);
  const started = performance.now();
  try {
    for (let t = 0; t + 1 < window.length; t++) {
      const step = await decoder.step(window[t]!);
      tally.nll -= Math.log(Math.max(step.probs[window[t + 1]!]!, 1e-30));
      tally.macs += step.macs;
      tally.exits[step.exit]! += 1;
      tally.tokens += 1;
    }
  } finally {
    decoder.dispose();
  }
  tally.seconds += (performance.now() - started) / 1000;
}

function toRun(t: Tally): DecodeRun {
  return {
    perplexity: Math.exp(t.nll / t.tokens),
    tokens: t.tokens,
    seconds: t.seconds,
    tokensPerSecond: t.tokens / t.seconds,
    macsPerToken: t.macs / t.tokens,
    exitCounts: t.exits,
  };
}

/** Decodes every window with the policy (none: the plain full model). */
export async function decodeWindows(lm: TransformerLm, windows: Windows, policy?: ExitPolicy): Promise<DecodeRun> {
  const tally = emptyTally(lm.layers);
  for (let w = 0; w < windows.count; w++) {
    await decodeWindow(lm, windows.tokens.subarray(w * windows.length, (w + 1) * windows.length), policy, tally);
  }
  return toRun(tally);
}

/**
 * The full model and early exit in one run: window by window, alternating which goes first, so both see the same
 * machine load.
 */
export async function compareDecoding(
  lm: TransformerLm,
  windows: Windows,
  policy: ExitPolicy,
): Promise<{ full: DecodeRun; early: DecodeRun }> {
  const full = emptyTally(lm.layers);
  const early = emptyTally(lm.layers);
  for (let w = 0; w < windows.count; w++) {
    const window = windows.tokens.subarray(w * windows.length, (w + 1) * windows.length);
    if (w % 2 === 0) {
      await decodeWindow(lm, window, undefined, full);
      await decodeWindow(lm, window, policy, early);
    } else {
      await decodeWindow(lm, window, policy, early);
      await decodeWindow(lm, window, undefined, full);
    }
  }
  return { full: toRun(full), early: toRun(early) };
}

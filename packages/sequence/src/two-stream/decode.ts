import type { TwoStreamModel } from '@offramp/backbones';
import { checkDecodeOptions, type DecodeOptions, type DecodeResult } from './decode-options.js';
import { decodeMasked } from './decode-masked.js';
import { decodeOne } from './decode-real.js';
import { checkMemory, type HostMemory } from './memory.js';

/**
 * Greedy token-by-token decoding with a similarity exit at every decoder layer of every step: after layer l the
 * step's policy scores cos(h_l, h_{l-1}) of the current position (h_{-1} = its embedding) and the step leaves where
 * its gate lets it out (core's `decideRows`), with layer l's state going through the shared head. Deeper layers get
 * the copied state's keys and values, so later steps can attend to it; they are made when a later step first runs
 * such a layer (see copiedStateCount), which gives the same result as making them at once.
 */
export async function decodeWithExits(model: TwoStreamModel, memory: HostMemory, options: DecodeOptions): Promise<DecodeResult> {
  checkDecodeOptions(model, options);
  checkMemory(model, memory);
  const n = memory.n;
  const out: DecodeResult = {
    n,
    steps: options.steps,
    tokens: new Int32Array(n * options.steps).fill(-1),
    exits: new Int32Array(n * options.steps).fill(-1),
    firstLogits: new Float32Array(n * model.options.vocabSize),
    macs: new Float64Array(n),
  };
  if ((options.mode ?? 'real') === 'real') {
    for (let i = 0; i < n; i++) await decodeOne(model, memory, i, options, out);
  } else {
    const batchSize = options.batchSize ?? 256;
    for (let from = 0; from < n; from += batchSize) await decodeMasked(model, memory, from, Math.min(n, from + batchSize), options, out);
  }
  return out;
}

import { keyValueMacs, lmHeadMacs, transformerLayerMacs } from '../transformer/macs.js';

/**
 * MACs of the two-stream encoder-decoder, per sample. Biases, layer norms and softmaxes are not counted,
 * as in the language-model formulas this reuses (transformerLayerMacs, keyValueMacs, lmHeadMacs).
 */
export interface TwoStreamMacs {
  /** Patch embedding of one image: patches x patchPixels x d. */
  readonly imageEmbedding: number;
  /** One encoder layer over a stream of `tokens` positions (each attends to all of them). */
  encoderLayer(tokens: number): number;
  /** One decoder layer for one new position attending to `keys` self positions and `memory` memory positions. */
  decoderLayer(keys: number, memory: number): number;
  /** Keys and values of `memory` memory positions for one decoder layer (once per sample and layer). */
  memoryKeysValues(memory: number): number;
  /** Self-attention keys and values of a copied (exited) state for one skipped layer and position. */
  readonly copiedKeysValues: number;
  /** The shared output head (d x V) for one position. */
  readonly head: number;
  /** The similarity check of one state of `size` features: dot product and two squared norms. */
  similarity(size: number): number;
}

export function twoStreamMacs(dModel: number, ffnHidden: number, vocabSize: number, patches: number, patchPixels: number): TwoStreamMacs {
  const d = dModel;
  return Object.freeze({
    imageEmbedding: patches * patchPixels * d,
    encoderLayer: (tokens: number) => tokens * transformerLayerMacs(d, ffnHidden, tokens),
    // self-attention layer + cross-attention: query and output projections (2 d^2), scores and sum (2 M d)
    decoderLayer: (keys: number, memory: number) =>
      transformerLayerMacs(d, ffnHidden, keys) + 2 * d * d + 2 * memory * d,
    memoryKeysValues: (memory: number) => memory * 2 * d * d,
    copiedKeysValues: keyValueMacs(d),
    head: lmHeadMacs(d, vocabSize),
    similarity: (size: number) => 3 * size,
  });
}

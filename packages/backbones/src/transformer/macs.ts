/**
 * MACs of one pre-norm transformer layer for one token attending to `keys` positions: the q, k, v and output
 * projections (4 d^2), the two feed-forward matrices (2 d f) and the attention scores and weighted sum (2 keys d).
 * Biases, layer norms and the softmax are not counted.
 */
export function transformerLayerMacs(dModel: number, ffnHidden: number, keys: number): number {
  return 4 * dModel * dModel + 2 * dModel * ffnHidden + 2 * keys * dModel;
}

/** MACs of the language-model head for one token: the projection of d features onto the vocabulary. */
export function lmHeadMacs(dModel: number, vocabSize: number): number {
  return dModel * vocabSize;
}

/** MACs of the key and value projections alone (what a skipped layer costs when an exited state is copied). */
export function keyValueMacs(dModel: number): number {
  return 2 * dModel * dModel;
}

/** Top-label view of n x C probabilities: the largest probability and whether its class is the label. */
export interface TopLabel {
  /** max_c p_c per sample. */
  readonly confidence: Float64Array;
  /** 1 when the argmax (first on ties) equals the label, else 0. */
  readonly correct: Uint8Array;
}

export function topLabel(probs: Float32Array, labels: Int32Array, classes: number): TopLabel {
  const n = labels.length;
  const confidence = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const start = i * classes;
    let best = 0;
    let bestValue = probs[start]!;
    for (let c = 1; c < classes; c++) {
      const v = probs[start + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    confidence[i] = bestValue;
    correct[i] = best === labels[i] ? 1 : 0;
  }
  return { confidence, correct };
}

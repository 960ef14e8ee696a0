import { VL_EOS, VL_VOCABULARY, type VisionLanguageSet } from '@offramp/data';

const YES = VL_VOCABULARY.id('yes');
const NO = VL_VOCABULARY.id('no');

/** Entailment answer per sample: 1 ("yes") when its logit beats "no"'s (the answer is constrained to the two). */
export function entailmentAnswers(firstLogits: Float32Array, vocab: number, n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => (firstLogits[i * vocab + YES]! > firstLogits[i * vocab + NO]! ? 1 : 0));
}

/** Fraction of samples whose answer matches the label. */
export function entailmentAccuracy(set: VisionLanguageSet, firstLogits: Float32Array, vocab: number): number {
  const answers = entailmentAnswers(firstLogits, vocab, set.n);
  let right = 0;
  for (let i = 0; i < set.n; i++) if (answers[i] === set.labels[i]) right += 1;
  return right / set.n;
}

/** A sequence up to and including its first <eos> (the whole of it when there is none). */
function untilEos(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v < 0) break;
    out.push(v);
    if (v === VL_EOS) break;
  }
  return out;
}

/**
 * Caption scores: token accuracy = mean over samples of (positions where the generated caption and the reference
 * agree) / max(both lengths), each counted up to and including <eos>; exact = share of identical captions.
 */
export function captionScores(set: VisionLanguageSet, tokens: Int32Array, steps: number): { tokenAccuracy: number; exact: number } {
  let token = 0;
  let exact = 0;
  for (let i = 0; i < set.n; i++) {
    const generated = untilEos(tokens.subarray(i * steps, (i + 1) * steps));
    const reference = untilEos(set.targets.subarray(i * set.steps, (i + 1) * set.steps));
    const length = Math.max(generated.length, reference.length);
    let same = 0;
    for (let k = 0; k < Math.min(generated.length, reference.length); k++) if (generated[k] === reference[k]) same += 1;
    token += same / length;
    if (same === length) exact += 1;
  }
  return { tokenAccuracy: token / set.n, exact: exact / set.n };
}

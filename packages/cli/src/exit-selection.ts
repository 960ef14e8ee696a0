import { ArgumentError } from '@offramp/core';
import { MissingTensorError, OnnxModelError } from '@offramp/onnx';
import { exitCandidates, suggestExits } from './exit-candidates.js';
import type { ModelAnalysis, TensorReport } from './model-analysis.js';

/** `--exits`: named tensors in graph order, or `auto:N` for N exits at equal cost steps. */
export type ExitsOption = { readonly auto: number } | { readonly tensors: readonly string[] };

/** Parses `auto:N` or a comma-separated list of tensor names. */
export function parseExitsOption(text: string, field = '--exits'): ExitsOption {
  const auto = /^auto(?::(\d+))?$/.exec(text.trim());
  if (auto) {
    const count = auto[1] === undefined ? 3 : Number(auto[1]);
    if (!Number.isInteger(count) || count < 1) {
      throw new ArgumentError({ field, expected: 'auto:N with N >= 1', received: JSON.stringify(text) });
    }
    return { auto: count };
  }
  const tensors = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (tensors.length === 0) {
    throw new ArgumentError({ field, expected: 'auto:N or tensor names separated by commas', received: JSON.stringify(text) });
  }
  return { tensors };
}

/** Resolves `--exits` against the model: every named tensor must be a legal cut, in graph order (a model output only last). */
export function selectExits(analysis: ModelAnalysis, option: ExitsOption, field = '--exits'): TensorReport[] {
  const candidates = exitCandidates(analysis.tensors);
  if ('auto' in option) {
    if (candidates.length === 0) {
      throw new OnnxModelError({ field, expected: 'a model with at least one legal cut', received: 'none' });
    }
    return suggestExits(candidates, option.auto);
  }
  const names = candidates.map((c) => c.name);
  const position = new Map(analysis.tensors.map((t, i) => [t.name, i]));
  let previous = -1;
  return option.tensors.map((name, l) => {
    const at = position.get(name);
    if (at === undefined) throw new MissingTensorError(name, `${field}[${l}]`, names);
    const tensor = analysis.tensors[at]!;
    // The model's own output may be the last exit: its head then learns on the model's logits.
    const outputAllowed = tensor.isOutput && l === option.tensors.length - 1;
    if (!tensor.legalCut || (tensor.isOutput && !outputAllowed)) {
      throw new OnnxModelError({
        field: `${field}[${l}]`,
        expected: `a tensor where the model can be cut (candidates: ${names.join(', ')})`,
        received: `${JSON.stringify(name)}, ${tensor.isOutput ? 'a model output before the last exit' : 'which a later node reads past (a skip connection crosses it) or is not float features'}`,
      });
    }
    if (at <= previous) {
      throw new ArgumentError({
        field: `${field}[${l}]`,
        expected: `a tensor after ${JSON.stringify(option.tensors[l - 1])} (exits in graph order)`,
        received: JSON.stringify(name),
      });
    }
    previous = at;
    return tensor;
  });
}

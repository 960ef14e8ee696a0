import { createTransformerLm } from '@offramp/backbones';
import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../src/proto.js';
import { readLmWeights, transformerLmGraph } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('transformerLmGraph', () => {
  it('reads the sizes from the weights and names the inputs and outputs of a range', async () => {
    const lm = createTransformerLm({ vocabSize: 11, context: 9, dModel: 8, layers: 3, heads: 2, ffnHidden: 12, seed: 1, name: 'graph-lm' });
    try {
      const weights = await readLmWeights(lm);
      expect(weights.source).toEqual({ name: 'graph-lm', heads: 2, vocabSize: 11, context: 9, dModel: 8, layers: 3 });
      const model = decodeModel(transformerLmGraph(weights, { from: 1, to: 3, embed: false, head: true, past: true }), 'graph');
      expect(Number(model.opsetImport![0]!.version)).toBe(17);
      expect(model.graph!.input!.map((v) => v.name)).toEqual(['hidden', 'mask', 'past_keys_1', 'past_values_1', 'past_keys_2', 'past_values_2']);
      expect(model.graph!.output!.map((v) => v.name)).toEqual(['hidden_out', 'logits', 'keys_1', 'values_1', 'keys_2', 'values_2']);
      const first = decodeModel(transformerLmGraph(weights, { from: 0, to: 1, embed: true, head: false, past: false }), 'graph');
      expect(first.graph!.input!.map((v) => v.name)).toEqual(['tokens', 'positions', 'mask']);
      expect(() => transformerLmGraph(weights, { from: 2, to: 2, embed: false, head: true, past: true })).toThrow(/range: expected 0 <= from < to <= 3, received from 2, to 2/);
      expect(() => transformerLmGraph(weights, { from: 0, to: 4, embed: true, head: true, past: true })).toThrow(ArgumentError);
      await expect(readLmWeights({ name: 'x', heads: 3, variables: lm.variables })).rejects.toThrow(/lm.heads: expected a divisor of the width 8, received 3/);
      await expect(readLmWeights({ name: 'x', heads: 2, variables: lm.variables.slice(1) })).rejects.toThrow(/expected a variable named \.\.\.\/embedding\/tokens/);
    } finally {
      lm.dispose();
    }
  });
});

import { describeLayers } from '@offramp/heads';
import { describe, expect, it } from 'vitest';
import { createCnnBackbone, createMlpBackbone } from '../src/index.js';

describe('layer descriptions of backbone stages', () => {
  it('describes CNN stages as conv2d, relu and the optional 2x2 max pool', () => {
    const cnn = createCnnBackbone({
      inputShape: [8, 8, 1],
      stages: [
        { filters: 2, kernelSize: 3, pool: 'max' },
        { filters: 3, kernelSize: 2, strides: 2, padding: 'valid' },
      ],
    });
    try {
      const [kernel, bias] = cnn.stages[0]!.variables;
      expect(describeLayers(cnn.stages[0]!)).toEqual([
        { op: 'conv2d', kernel, bias, strides: 1, padding: 'same' },
        { op: 'relu' },
        { op: 'maxPool', size: 2, strides: 2 },
      ]);
      expect(describeLayers(cnn.stages[1]!)!.map((l) => l.op)).toEqual(['conv2d', 'relu']);
      expect(describeLayers(cnn.stages[1]!)![0]).toMatchObject({ strides: 2, padding: 'valid' });
    } finally {
      cnn.dispose();
    }
  });

  it('describes MLP stages as dense and relu, flattening image input first', () => {
    const mlp = createMlpBackbone({ inputShape: [2, 2, 1], hidden: [3, 2] });
    try {
      expect(describeLayers(mlp.stages[0]!)!.map((l) => l.op)).toEqual(['flatten', 'dense', 'relu']);
      expect(describeLayers(mlp.stages[1]!)!.map((l) => l.op)).toEqual(['dense', 'relu']);
    } finally {
      mlp.dispose();
    }
  });
});

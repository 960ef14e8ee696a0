import { describe, expect, it } from 'vitest';
import { attachLayers, createLinearHead, createMlpHead, describeLayers } from '../src/index.js';

describe('layer descriptions of heads', () => {
  it('lists pooling, dense layers and the ReLU between them, with the live variables', () => {
    const linear = createLinearHead({ inputShape: [3, 3, 4], classes: 2, pool: 'max', name: 'describe-linear' });
    const mlp = createMlpHead({ inputShape: [6], classes: 2, hidden: 5, name: 'describe-mlp' });
    try {
      expect(describeLayers(linear)).toEqual([
        { op: 'globalPool', kind: 'max' },
        { op: 'dense', kernel: linear.variables[0], bias: linear.variables[1] },
      ]);
      expect(describeLayers(mlp)!.map((l) => l.op)).toEqual(['dense', 'relu', 'dense']);
      const flatten = createLinearHead({ inputShape: [2, 2, 1], classes: 2, pool: 'flatten', name: 'describe-flat' });
      expect(describeLayers(flatten)![0]).toEqual({ op: 'flatten' });
      flatten.dispose();
    } finally {
      linear.dispose();
      mlp.dispose();
    }
  });

  it('is undefined for a module built without one, and attachLayers adds one', () => {
    const module = { name: 'custom' };
    expect(describeLayers(module)).toBeUndefined();
    expect(attachLayers(module, [{ op: 'relu' }])).toBe(module);
    expect(describeLayers(module)).toEqual([{ op: 'relu' }]);
  });
});

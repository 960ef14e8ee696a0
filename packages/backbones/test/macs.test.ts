import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv2dMacs,
  conv2dOutputShape,
  conv2dOutputSize,
  createCnnBackbone,
  createMlpBackbone,
  denseMacs,
} from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('MAC helpers', () => {
  it('counts a dense layer as inputs x outputs', () => {
    expect(denseMacs(784, 256)).toBe(200704);
  });

  it('sizes convolution outputs', () => {
    expect(conv2dOutputSize(28, 3, 1, 'same')).toBe(28);
    expect(conv2dOutputSize(7, 3, 2, 'same')).toBe(4);
    expect(conv2dOutputSize(7, 3, 1, 'valid')).toBe(5);
    expect(conv2dOutputSize(9, 5, 2, 'valid')).toBe(3);
    expect(conv2dOutputSize(5, 5, 2, 'valid')).toBe(1);
  });

  it('counts a convolution as outH * outW * k * k * cin * cout', () => {
    expect(conv2dMacs({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3 })).toBe(28 * 28 * 9 * 16);
    // 7x7x8, stride 2, same: 4x4 outputs.
    expect(conv2dMacs({ inputShape: [7, 7, 8], filters: 16, kernelSize: 3, strides: 2 })).toBe(4 * 4 * 9 * 8 * 16);
    // 7x9x3, 5x5 valid, stride 2: 2x3 outputs.
    expect(conv2dOutputShape({ inputShape: [7, 9, 3], filters: 4, kernelSize: 5, strides: 2, padding: 'valid' })).toEqual([2, 3, 4]);
    expect(conv2dMacs({ inputShape: [7, 9, 3], filters: 4, kernelSize: 5, strides: 2, padding: 'valid' })).toBe(2 * 3 * 25 * 3 * 4);
  });
});

describe('backbone MACs against hand counts', () => {
  it('a three-stage CNN on 28x28x1', () => {
    const backbone = createCnnBackbone({
      inputShape: [28, 28, 1],
      stages: [
        { filters: 16, kernelSize: 3, pool: 'max' },
        { filters: 32, kernelSize: 3, pool: 'max' },
        { filters: 64, kernelSize: 3, strides: 2, padding: 'valid' },
      ],
    });
    expect(backbone.kind).toBe('cnn');
    expect(backbone.stageMacs).toEqual([
      28 * 28 * 9 * 1 * 16, // 112896, then pooled to 14x14
      14 * 14 * 9 * 16 * 32, // 903168, then pooled to 7x7
      3 * 3 * 9 * 32 * 64, // valid 3x3 stride 2 on 7x7: 3x3 outputs
    ]);
    expect(backbone.stages.map((s) => s.outputShape)).toEqual([
      [14, 14, 16],
      [7, 7, 32],
      [3, 3, 64],
    ]);
    backbone.dispose();
  });

  it('a CNN with odd sizes: valid conv then pooling that drops the last row', () => {
    const backbone = createCnnBackbone({
      inputShape: [9, 9, 2],
      stages: [
        { filters: 3, kernelSize: 3, padding: 'valid', pool: 'max' },
        { filters: 5, kernelSize: 1 },
      ],
    });
    // 9x9 valid 3x3: 7x7 outputs, pooled to 3x3; then a 1x1 conv on 3x3x3.
    expect(backbone.stageMacs).toEqual([7 * 7 * 9 * 2 * 3, 3 * 3 * 1 * 3 * 5]);
    expect(backbone.stages[0]!.outputShape).toEqual([3, 3, 3]);
    backbone.dispose();
  });

  it('stage output shapes are what the tensors come out as', () => {
    const backbone = createCnnBackbone({
      inputShape: [11, 10, 3],
      stages: [
        { filters: 4, kernelSize: 5, strides: 2, pool: 'max' },
        { filters: 6, kernelSize: 2, padding: 'valid' },
      ],
    });
    let x: tf.Tensor = tf.zeros([2, 11, 10, 3]);
    for (const stage of backbone.stages) {
      const y = stage.apply(x);
      expect(y.shape.slice(1)).toEqual([...stage.outputShape]);
      x.dispose();
      x = y;
    }
    x.dispose();
    backbone.dispose();
  });

  it('an MLP: one dense layer per stage', () => {
    const backbone = createMlpBackbone({ inputShape: [784], hidden: [256, 128, 64] });
    expect(backbone.kind).toBe('mlp');
    expect(backbone.stageMacs).toEqual([784 * 256, 256 * 128, 128 * 64]);
    expect(backbone.stages.map((s) => s.outputShape)).toEqual([[256], [128], [64]]);
    backbone.dispose();
  });

  it('an MLP on image-shaped samples flattens in its first stage', () => {
    const backbone = createMlpBackbone({ inputShape: [4, 4, 2], hidden: [8, 3] });
    expect(backbone.stageMacs).toEqual([32 * 8, 8 * 3]);
    const x = tf.ones([5, 4, 4, 2]);
    const y = backbone.stages[0]!.apply(x);
    expect(y.shape).toEqual([5, 8]);
    tf.dispose([x, y]);
    backbone.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attachLinearHeads, createCnnBackbone, SMALL_DIGITS_CNN } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('attachLinearHeads', () => {
  it('puts a head after every stage of the digits preset, with hand-counted MACs', () => {
    const before = tf.memory().numTensors;
    const backbone = createCnnBackbone({ inputShape: SMALL_DIGITS_CNN.inputShape, stages: SMALL_DIGITS_CNN.stages, seed: 1, name: 'preset-cnn' });
    // 28*28*9*1*8, 14*14*9*8*16, 7*7*9*16*32
    expect(backbone.stageMacs).toEqual([56448, 225792, 225792]);
    const network = attachLinearHeads(backbone, { classes: 10, pool: SMALL_DIGITS_CNN.headPool, seed: 1, name: 'preset' });
    expect(network.heads.map((h) => h.name)).toEqual(['preset-head0', 'preset-head1', 'preset-head2']);
    // flattened maps 14*14*8, 7*7*16, 3*3*32 to 10 classes
    expect(network.heads.map((h) => h.macs)).toEqual([15680, 7840, 2880]);
    const logits = tf.tidy(() => network.heads[2]!.apply(backbone.stages.reduce<tf.Tensor>((h, s) => s.apply(h), tf.zeros([2, 28, 28, 1]))));
    expect(logits.shape).toEqual([2, 10]);
    logits.dispose();
    network.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees the backbone and the heads made so far when a head cannot be made', () => {
    const before = tf.memory().numTensors;
    const backbone = createCnnBackbone({ inputShape: [8, 8, 1], stages: [{ filters: 2, kernelSize: 3 }], seed: 1, name: 'failing-cnn' });
    expect(() => attachLinearHeads(backbone, { classes: 1, seed: 1, name: 'failing' })).toThrow(/classes/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

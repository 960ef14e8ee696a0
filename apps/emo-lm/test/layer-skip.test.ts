import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exitLossWeights, layerDropoutRates } from '../src/layer-skip.js';
import { exitDistillation } from '../src/lm-loss.js';

describe('LayerSkip options', () => {
  it('drops layers at rates growing exponentially from 0 to p_max', () => {
    // 3 layers, p_max 0.2: 0.2 (e^0 - 1), 0.2 (e^(ln 2 / 2) - 1), 0.2 (e^(ln 2) - 1) = 0, 0.2 (sqrt 2 - 1), 0.2
    const rates = layerDropoutRates(3, 0.2);
    expect(rates[0]).toBe(0);
    expect(rates[1]).toBeCloseTo(0.2 * (Math.SQRT2 - 1), 12);
    expect(rates[2]).toBeCloseTo(0.2, 12);
    expect(layerDropoutRates(1, 0.5)).toEqual([0]);
    expect(() => layerDropoutRates(3, 1)).toThrow(/layerDropout: expected a rate in \[0, 1\)/);
  });

  it('weights exits uniformly, or as LayerSkip does', () => {
    expect(exitLossWeights(4, { exitWeights: 'uniform', exitScale: 1 })).toEqual([0.25, 0.25, 0.25, 0.25]);
    // 4 layers, e_scale 1: exits 0..2 get 0, 1, 3 (0; 0 + 1; 0 + 1 + 2), the last L - 1 + (0 + 1 + 2) = 6; sum 10
    expect(exitLossWeights(4, { exitWeights: 'layerskip', exitScale: 1 })).toEqual([0, 1 / 10, 3 / 10, 6 / 10]);
    // e_scale 2: 0, 2, 6 and 3 + 2 * 3 = 9; sum 17
    expect(exitLossWeights(4, { exitWeights: 'layerskip', exitScale: 2 })).toEqual([0, 2 / 17, 6 / 17, 9 / 17]);
    expect(() => exitLossWeights(4, { exitWeights: 'layerskip', exitScale: -1 })).toThrow(/exitScale/);
  });

  it('distils every exit towards the last: KL(sg(p_L) || p_l), no gradient into the last exit', async () => {
    await tf.setBackend('cpu');
    // p_L = (1/2, 1/2), p_0 = (3/4, 1/4): KL = 1/2 ln(2/3) + 1/2 ln 2 = 0.1438410362
    const last = tf.tensor3d([[[0, 0]]]);
    const first = tf.tensor3d([[[Math.log(3), 0]]]);
    const kl = exitDistillation([first, last]);
    expect(kl.dataSync()[0]).toBeCloseTo(0.5 * Math.log(2 / 3) + 0.5 * Math.log(2), 6);
    // an exit equal to the last costs nothing; two exits before the last are averaged
    expect(exitDistillation([last, first, last]).dataSync()[0]).toBeCloseTo((0 + 0.1438410362) / 2, 6);
    const [gFirst, gLast] = tf.grads((a: tf.Tensor, b: tf.Tensor) => exitDistillation([a, b]))([first, last]);
    expect(Array.from(gLast!.dataSync())).toEqual([0, 0]);
    // d KL / d z_0 = p_0 - p_L = (1/4, -1/4)
    expect(Array.from(gFirst!.dataSync()).map((g) => Number(g.toFixed(6)))).toEqual([0.25, -0.25]);
    tf.dispose([last, first, kl, gFirst!, gLast!]);
  });
});

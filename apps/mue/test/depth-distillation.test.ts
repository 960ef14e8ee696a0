import { InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { depthDistillationLoss } from '../src/depth-distillation.js';

describe('self-distillation across encoder depths', () => {
  it('is the sum over layers of the mean KL(teacher || student) over kept positions (hand numbers)', () => {
    // position 1: p = [0.5, 0.5]; layer 1 q = [0.25, 0.75] (logits 0, ln 3): KL = 0.5 ln 2 + 0.5 ln(2/3) = 0.5 ln(4/3)
    //             layer 2 q = p: KL = 0
    // position 2: p = [1, 0]; layer 1 q = [0.5, 0.5]: KL = ln 2; layer 2 q = [0.8, 0.2] (logits ln 4, 0): KL = ln 1.25
    // position 3 is padding (keep 0) with a large KL that must not count
    const teacher = tf.tensor3d([[[0.5, 0.5], [1, 0], [0, 1]]]);
    const layer1 = tf.tensor3d([[[0, Math.log(3)], [0, 0], [9, 0]]]);
    const layer2 = tf.tensor3d([[[0, 0], [Math.log(4), 0], [9, 0]]]);
    const keep = tf.tensor2d([[1, 1, 0]]);
    const loss = depthDistillationLoss([layer1, layer2], teacher, keep);
    const expected = (0.5 * Math.log(4 / 3) + Math.log(2)) / 2 + (0 + Math.log(1.25)) / 2;
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    // a student equal to the teacher costs nothing; no kept position gives 0
    const same = depthDistillationLoss([tf.log(tf.tensor3d([[[0.3, 0.7]]]))], tf.tensor3d([[[0.3, 0.7]]]), tf.tensor2d([[1]]));
    expect(same.dataSync()[0]).toBeCloseTo(0, 6);
    const none = depthDistillationLoss([layer1], teacher, tf.zeros([1, 3]));
    expect(none.dataSync()[0]).toBe(0);
    tf.dispose([teacher, layer1, layer2, keep, loss, same, none]);
  });

  it('has the gradient of KL in the student logits: q - p per kept position, over the kept count', () => {
    const teacher = tf.tensor3d([[[0.2, 0.8], [0.6, 0.4]]]);
    const student = tf.tensor3d([[[1, -1], [0.5, 0.5]]]);
    const keep = tf.tensor2d([[1, 1]]);
    const grad = tf.grad((s: tf.Tensor) => depthDistillationLoss([s], teacher, keep))(student);
    const q1 = 1 / (1 + Math.exp(-2));
    const expected = [(q1 - 0.2) / 2, (1 - q1 - 0.8) / 2, (0.5 - 0.6) / 2, (0.5 - 0.4) / 2];
    const got = Array.from(grad.dataSync());
    for (const [i, e] of expected.entries()) expect(got[i]).toBeCloseTo(e, 5);
    tf.dispose([teacher, student, keep, grad]);
  });

  it('disposes its intermediates, and rejects mismatched shapes', () => {
    const teacher = tf.tensor3d([[[0.5, 0.5]]]);
    const student = tf.zeros([1, 1, 2]);
    const keep = tf.ones([1, 1]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) depthDistillationLoss([student], teacher, keep).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => depthDistillationLoss([], teacher, keep)).toThrow(/studentLogits/);
    expect(() => depthDistillationLoss([tf.zeros([1, 1, 3])], teacher, keep)).toThrow(InputShapeError);
    expect(() => depthDistillationLoss([student], teacher, tf.ones([2, 1]))).toThrow(InputShapeError);
    expect(() => depthDistillationLoss([student], tf.zeros([1, 2]), keep)).toThrow(InputShapeError);
    tf.dispose([teacher, student, keep]);
  });
});

import type { Module } from '@offramp/core';
import type * as tf from '@tensorflow/tfjs';

/** A backbone stage or exit head on tfjs: a core Module over tf.Tensor with tf.Variable weights. */
export type TfModule = Module<tf.Tensor, tf.Variable>;

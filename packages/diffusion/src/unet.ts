import { ArgumentError, checkWholeNumber, CountMismatchError, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from './denoiser.js';
import { conv2dSame } from './conv-same.js';
import { sinusoidalEmbedding } from './time-embedding.js';

export interface UnetOptions {
  /** Channels at the full and at the half resolution; default [16, 32]. */
  readonly widths?: readonly [number, number];
  /** Size of the sinusoidal noise-level embedding; default 32. */
  readonly embedding?: number;
  /** Image channels; default 1. */
  readonly channels?: number;
  /** Seed of the glorot-uniform initial weights; default 0. */
  readonly seed?: number;
  /** Prefix of the variable names; default a fresh `unet-N`. */
  readonly name?: string;
}

let unnamed = 0;

type Silu = (x: tf.Tensor) => tf.Tensor;
const silu: Silu = (x) => tf.mul(x, tf.sigmoid(x));

/** Builds variables with seeds seed, seed + 1, ... in creation order. */
class VariableMaker {
  readonly all: tf.Variable[] = [];
  private next: number;
  constructor(
    private readonly prefix: string,
    seed: number,
  ) {
    this.next = seed;
  }
  glorot(name: string, shape: number[]): tf.Variable {
    const initial = tf.initializers.glorotUniform({ seed: this.next++ }).apply(shape);
    return this.keep(tf.variable(initial, true, `${this.prefix}/${name}`), initial);
  }
  zeros(name: string, shape: number[]): tf.Variable {
    const initial = tf.zeros(shape);
    return this.keep(tf.variable(initial, true, `${this.prefix}/${name}`), initial);
  }
  private keep(variable: tf.Variable, initial: tf.Tensor): tf.Variable {
    initial.dispose();
    this.all.push(variable);
    return variable;
  }
}

interface Conv {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

function conv(make: VariableMaker, name: string, size: number, cin: number, cout: number): Conv {
  return { kernel: make.glorot(`${name}/kernel`, [size, size, cin, cout]), bias: make.zeros(`${name}/bias`, [cout]) };
}

function applyConv(c: Conv, x: tf.Tensor): tf.Tensor4D {
  return tf.add(conv2dSame(x as tf.Tensor4D, c.kernel as tf.Tensor4D), c.bias) as tf.Tensor4D;
}

/**
 * A residual block conditioned on the noise level: h = conv(silu(x)); h = h * (1 + scale) + shift with
 * (scale, shift) a linear map of the level's features; out = skip(x) + conv(silu(h)), skip a 1x1 conv when
 * the width changes.
 */
class ResBlock {
  private readonly first: Conv;
  private readonly second: Conv;
  private readonly skip: Conv | undefined;
  private readonly film: { kernel: tf.Variable; bias: tf.Variable };
  constructor(
    make: VariableMaker,
    name: string,
    cin: number,
    private readonly cout: number,
    features: number,
  ) {
    this.first = conv(make, `${name}/conv0`, 3, cin, cout);
    this.second = conv(make, `${name}/conv1`, 3, cout, cout);
    this.skip = cin === cout ? undefined : conv(make, `${name}/skip`, 1, cin, cout);
    this.film = { kernel: make.glorot(`${name}/film/kernel`, [features, 2 * cout]), bias: make.zeros(`${name}/film/bias`, [2 * cout]) };
  }
  apply(x: tf.Tensor4D, level: tf.Tensor2D): tf.Tensor4D {
    let h = applyConv(this.first, silu(x));
    const film = tf.add(tf.matMul(level, this.film.kernel as tf.Tensor2D), this.film.bias);
    const [scale, shift] = tf.split(film, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const batch = x.shape[0];
    h = tf.add(tf.mul(h, tf.add(1, tf.reshape(scale, [batch, 1, 1, this.cout]))), tf.reshape(shift, [batch, 1, 1, this.cout])) as tf.Tensor4D;
    h = applyConv(this.second, silu(h));
    const skip = this.skip ? applyConv(this.skip, x) : x;
    return tf.add(skip, h) as tf.Tensor4D;
  }
}

function checkInput(x: tf.Tensor, t: tf.Tensor, channels: number): void {
  if (x.rank !== 4) {
    throw new InputShapeError({ field: 'x.rank', expected: '4 ([batch, height, width, channels])', received: `${x.rank} (shape [${x.shape.join(', ')}])` });
  }
  const [batch, height, width, c] = x.shape as [number, number, number, number];
  if (c !== channels) {
    throw new InputShapeError({ field: 'x.shape[3]', expected: `${channels} channels`, received: String(c) });
  }
  for (const [field, side] of [['x.shape[1]', height], ['x.shape[2]', width]] as const) {
    if (side < 2 || side % 2 !== 0) {
      throw new InputShapeError({ field, expected: 'an even side >= 2 (the UNet halves the resolution once)', received: String(side) });
    }
  }
  if (t.rank !== 1 || t.shape[0] !== batch) {
    throw new CountMismatchError({ field: 't.shape', expected: `[${batch}] (one noise level per image)`, received: `[${t.shape.join(', ')}]` });
  }
}

/**
 * A small fully convolutional UNet with two resolution levels and noise-level conditioning:
 * conv3x3 -> ResBlock(w0) -> avgpool2 -> ResBlock(w0 -> w1) -> ResBlock(w1) -> nearest upsample x2 + conv3x3
 * (w1 -> w0) -> concat with the full-resolution features -> ResBlock(2 w0 -> w0) -> silu -> conv3x3 -> channels.
 * The level t goes through a sinusoidal embedding and two dense layers with SiLU; each block turns those
 * features into a per-channel scale and shift (FiLM). Any even height and width works.
 */
export function createUnet(options: UnetOptions = {}): Denoiser {
  const [w0, w1] = options.widths ?? [16, 32];
  checkWholeNumber(w0, 1, 'widths[0]');
  checkWholeNumber(w1, 1, 'widths[1]');
  const embedding = options.embedding ?? 32;
  checkWholeNumber(embedding, 2, 'embedding');
  const channels = options.channels ?? 1;
  checkWholeNumber(channels, 1, 'channels');
  const seed = options.seed ?? 0;
  checkWholeNumber(seed, 0, 'seed');
  const name = options.name ?? `unet-${unnamed++}`;
  const make = new VariableMaker(name, seed);
  const features = 2 * embedding;
  const embed0 = { kernel: make.glorot('level/dense0/kernel', [embedding, features]), bias: make.zeros('level/dense0/bias', [features]) };
  const embed1 = { kernel: make.glorot('level/dense1/kernel', [features, features]), bias: make.zeros('level/dense1/bias', [features]) };
  const input = conv(make, 'in', 3, channels, w0);
  const top = new ResBlock(make, 'top', w0, w0, features);
  const down = new ResBlock(make, 'down', w0, w1, features);
  const middle = new ResBlock(make, 'middle', w1, w1, features);
  const up = conv(make, 'up', 3, w1, w0);
  const merge = new ResBlock(make, 'merge', 2 * w0, w0, features);
  const output = conv(make, 'out', 3, w0, channels);
  const variables = Object.freeze([...make.all]);
  let disposed = false;

  return {
    name,
    channels,
    sizeDivisor: 2,
    variables,
    predict(x, t) {
      if (disposed) throw new ArgumentError({ field: name, expected: 'a live denoiser', received: 'a disposed one' });
      checkInput(x, t, channels);
      return tf.tidy(() => {
        const e = sinusoidalEmbedding(t, embedding);
        const level = silu(tf.add(tf.matMul(silu(tf.add(tf.matMul(e, embed0.kernel as tf.Tensor2D), embed0.bias)), embed1.kernel as tf.Tensor2D), embed1.bias)) as tf.Tensor2D;
        const [, height, width] = x.shape;
        const h0 = top.apply(applyConv(input, x), level);
        const pooled = tf.avgPool(h0, 2, 2, 'valid');
        const h1 = middle.apply(down.apply(pooled, level), level);
        const lifted = applyConv(up, tf.image.resizeNearestNeighbor(h1, [height, width]));
        const merged = merge.apply(tf.concat([lifted, h0], 3) as tf.Tensor4D, level);
        return applyConv(output, silu(merged));
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.dispose();
    },
  };
}

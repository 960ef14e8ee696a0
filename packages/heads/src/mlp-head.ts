import { createDenseLayer } from './dense-layer.js';
import { assembleHead } from './head-module.js';
import { checkHeadOptions, type HeadOptions } from './head-options.js';
import { createPooling } from './pooling.js';
import { checkWholeNumber } from '@offramp/core';
import type { TfModule } from './tf-module.js';

export interface MlpHeadOptions extends HeadOptions {
  /** Width of the hidden ReLU layer. */
  readonly hidden: number;
}

/**
 * pool -> dense(hidden, relu) -> dense(classes). MACs per sample: pooling + pooled x hidden +
 * hidden x classes. The two layers draw from `seed` and `seed + 1`.
 */
export function createMlpHead(options: MlpHeadOptions): TfModule {
  const { inputShape, classes, seed, name } = checkHeadOptions(options, 'mlp');
  checkWholeNumber(options.hidden, 1, 'hidden');
  const pooling = createPooling(inputShape, options.pool);
  const first = createDenseLayer(`${name}/hidden`, pooling.size, options.hidden, seed, 'name');
  try {
    const output = createDenseLayer(`${name}/output`, options.hidden, classes, seed + 1, 'name');
    return assembleHead({ name, inputShape, classes, pooling, layers: [first, output] });
  } catch (error) {
    first.kernel.dispose();
    first.bias.dispose();
    throw error;
  }
}

import { createDenseLayer } from './dense-layer.js';
import { assembleHead } from './head-module.js';
import { checkHeadOptions, type HeadOptions } from './head-options.js';
import { createPooling } from './pooling.js';
import type { TfModule } from './tf-module.js';

export type LinearHeadOptions = HeadOptions;

/** pool -> dense(classes). MACs per sample: pooling + pooled size x classes. */
export function createLinearHead(options: LinearHeadOptions): TfModule {
  const { inputShape, classes, seed, name } = checkHeadOptions(options, 'linear');
  const pooling = createPooling(inputShape, options.pool);
  const output = createDenseLayer(`${name}/dense`, pooling.size, classes, seed, 'name');
  return assembleHead({ name, inputShape, classes, pooling, layers: [output] });
}

import type { CnnStageSpec } from './cnn-backbone.js';

/**
 * The small digits CNN of the example apps: 28x28x1 input, three conv stages (3x3 kernels with 8, 16 and 32
 * filters, 'same' padding, ReLU, 2x2 max pooling: 14x14x8, 7x7x16, 3x3x32), a linear head on the flattened
 * map after every stage, 10 classes.
 */
export const SMALL_DIGITS_CNN = {
  inputShape: [28, 28, 1] as [number, number, number],
  classes: 10,
  stages: [
    { filters: 8, kernelSize: 3, padding: 'same', pool: 'max' },
    { filters: 16, kernelSize: 3, padding: 'same', pool: 'max' },
    { filters: 32, kernelSize: 3, padding: 'same', pool: 'max' },
  ] satisfies CnnStageSpec[],
  headPool: 'flatten' as const,
};

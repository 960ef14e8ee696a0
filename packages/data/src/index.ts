export { classCounts, createImageDataset, type ImageDataset } from './dataset.js';
export { loadDigitFolder, loadMnistDigits, MNIST_DIGITS_SPLIT, mnistDigitsFolder } from './mnist.js';
export { splitDataset, type DatasetSplit, type SplitOptions } from './split.js';
export { subsetDataset } from './subset.js';
export { batches, countBatches, epochSeed, type Batch, type BatchOptions } from './batches.js';

import { type LabelledData, readLabelledData } from './dataset-file.js';
import { isNamedDataset, readNamedDataset } from './named-dataset.js';

/**
 * Labelled data from a `.npz` file or one of this project's datasets by name (`fashion-mnist:test`,
 * `fashion-mnist:train:0-10000`, `mnist:validation`), checked against the model's input and classes.
 */
export function readDataSource(
  source: string,
  option: string,
  inputShape: readonly number[],
  classes: number,
  cacheDir: string,
): Promise<LabelledData> {
  return isNamedDataset(source)
    ? readNamedDataset(source, option, inputShape, classes, cacheDir)
    : readLabelledData(source, option, inputShape, classes);
}

// Checks that the Python split (models/fashion_data.py) is the one @offramp/data makes:
// splitDataset(clothesDataset(raw), { train: 60000, validation: 0, test: 10000, seed: 7 }).
// It compares the first 1,000 test images and labels with models/data/fashion-test-1000.npz and, when
// given the index file that `fashion_data.py --indices-out FILE` writes, every train and test index.
//
//   pnpm --filter @offramp/data build            # once, if packages/data/dist is missing
//   node models/check-split.mjs [--indices /tmp/offramp-split-py.bin]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpz } from './npz.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { clothesDataset, loadFashionMnistRaw, splitDataset } = await import(join(here, '..', 'packages', 'data', 'dist', 'index.js'));

const SPLIT = { train: 60000, validation: 0, test: 10000, seed: 7 };
const args = process.argv.slice(2);
const indicesFile = args.includes('--indices') ? args[args.indexOf('--indices') + 1] : undefined;


const raw = await loadFashionMnistRaw({ cacheDir: '/tmp/offramp-fashion-cache' });
console.log(`@offramp/data: ${raw.n} images, ${raw.skipped} rows skipped`);
let failures = 0;
const fail = (message) => {
  failures += 1;
  console.log(`FAIL ${message}`);
};

// Every index of the split: the split depends only on labels and seed, so a data set whose "pixel" is the
// image index gives the indices splitDataset picks, in its order.
const indexSet = { images: Float32Array.from({ length: raw.n }, (_, i) => i), labels: Int32Array.from(raw.labels), n: raw.n, shape: [1, 1, 1], classes: 10 };
const byIndex = splitDataset(indexSet, SPLIT);
if (indicesFile) {
  const py = new Int32Array(readFileSync(indicesFile).buffer.slice(0));
  const ts = Int32Array.from([...byIndex.train.images, ...byIndex.test.images]);
  const differing = ts.findIndex((v, i) => v !== py[i]);
  if (py.length !== ts.length || differing !== -1) fail(`split indices differ (first at ${differing})`);
  else console.log(`ok: all ${ts.length} train and test indices equal`);
}

const npz = readNpz(join(here, 'data', 'fashion-test-1000.npz'));
const count = npz.labels.shape[0];
const first = byIndex.test.images.subarray(0, count);
const test = clothesDataset(raw, first);
let pixelMismatch = 0;
for (let k = 0; k < count * 784; k++) if (Math.abs(test.images[k] * 255 - npz.images.data[k]) > 1e-3) pixelMismatch += 1;
let labelMismatch = 0;
for (let i = 0; i < count; i++) if (Number(npz.labels.data[i]) !== test.labels[i]) labelMismatch += 1;
if (pixelMismatch || labelMismatch) fail(`fashion-test-1000.npz: ${pixelMismatch} pixels, ${labelMismatch} labels differ`);
else console.log(`ok: fashion-test-1000.npz holds the first ${count} test images of the split, pixels and labels equal`);

const direct = splitDataset(clothesDataset(raw), SPLIT).test;
const same = direct.labels.subarray(0, count).every((l, i) => l === test.labels[i]) && direct.images.subarray(0, 784 * 4).every((v, k) => v === test.images[k]);
if (!same) fail('splitDataset on the real images disagrees with the index split');
else console.log('ok: splitDataset(clothesDataset(raw), ...) gives the same test images');
process.exit(failures ? 1 : 0);

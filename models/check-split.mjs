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

const here = dirname(fileURLToPath(import.meta.url));
const { clothesDataset, loadFashionMnistRaw, splitDataset } = await import(join(here, '..', 'packages', 'data', 'dist', 'index.js'));

const SPLIT = { train: 60000, validation: 0, test: 10000, seed: 7 };
const args = process.argv.slice(2);
const indicesFile = args.includes('--indices') ? args[args.indexOf('--indices') + 1] : undefined;

/** The arrays of an uncompressed .npz (a zip of .npy files, as np.savez writes it). */
function readNpz(path) {
  const buf = readFileSync(path);
  const arrays = {};
  let at = 0;
  while (buf.readUInt32LE(at) === 0x04034b50) {
    const method = buf.readUInt16LE(at + 8);
    const size = buf.readUInt32LE(at + 18);
    const nameLength = buf.readUInt16LE(at + 26);
    const extraLength = buf.readUInt16LE(at + 28);
    const name = buf.toString('utf8', at + 30, at + 30 + nameLength);
    const start = at + 30 + nameLength + extraLength;
    if (method !== 0 || size === 0xffffffff) throw new Error(`${path}: ${name} is compressed or zip64; write it with np.savez`);
    arrays[name.replace(/\.npy$/, '')] = parseNpy(buf.subarray(start, start + size), name);
    at = start + size;
  }
  return arrays;
}

function parseNpy(bytes, name) {
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${name}: Fortran order is not supported`);
  const data = bytes.subarray(headerStart + headerLength);
  const copy = (Type) => new Type(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const types = { '|u1': Uint8Array, '<i8': BigInt64Array, '<i4': Int32Array, '<f4': Float32Array };
  if (!types[descr]) throw new Error(`${name}: dtype ${descr} is not supported here`);
  return { shape, data: copy(types[descr]) };
}

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

// Runs the exported models through the repository's onnxruntime-node and compares them with PyTorch.
//
//   node models/check-export.mjs              # every model folder with model.onnx and reference.json
//   node models/check-export.mjs fashion-vit  # one of them
//   node models/check-export.mjs --full-test  # also the accuracy on all 10,000 test images (needs packages/data/dist)
//   node models/check-export.mjs --root DIR   # model folders under DIR instead of models/
//
// For each model: the logits of the 8 reference test images (batch 8 and batch 1) must match PyTorch's to 1e-4;
// the model is cut at the exit tensors of exits.json with @offramp/onnx's cutModel (when packages/onnx/dist is
// built) and the stages, run one after the other, must reproduce PyTorch's block outputs; the accuracy on
// models/data/fashion-test-1000.npz is printed.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpz } from './npz.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);
const ort = createRequire(join(repo, 'apps', 'bench', 'package.json'))('onnxruntime-node');
const TOLERANCE = 1e-4;

const args = process.argv.slice(2);
const fullTest = args.includes('--full-test');
const root = args.includes('--root') ? args[args.indexOf('--root') + 1] : here;
const wanted = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--root');
const folders = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'model.onnx')) && existsSync(join(root, d.name, 'reference.json')))
  .map((d) => d.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name));

let failures = 0;
const report = (ok, message) => {
  if (!ok) failures += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
};

/** Pixels 0..255 (any array of numbers) to float32 in [0, 1], as the models take them. */
const toInput = (pixels) => Float32Array.from(pixels, (v) => v / 255);

async function logitsOf(session, pixels, batch) {
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', toInput(pixels), [batch, 1, 28, 28]) };
  const out = await session.run(feeds);
  return out[session.outputNames[0]];
}

function maxAbsDiff(a, b) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function accuracy(session, images, labels, count) {
  let correct = 0;
  for (let start = 0; start < count; start += 500) {
    const n = Math.min(500, count - start);
    const logits = (await logitsOf(session, images.subarray(start * 784, (start + n) * 784), n)).data;
    for (let i = 0; i < n; i++) {
      const row = logits.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) === Number(labels[start + i])) correct += 1;
    }
  }
  return correct / count;
}

/** Cuts the model at its exits with cutModel and checks every stage's output against PyTorch's block outputs. */
async function checkCut(name, bytes, exitsInfo, reference) {
  let cutModel;
  try {
    ({ cutModel } = await import(join(repo, 'packages', 'onnx', 'dist', 'index.js')));
  } catch (error) {
    console.log(`skip ${name}: cut check (packages/onnx/dist not importable: ${error.message.split('\n')[0]})`);
    return;
  }
  // cutModel declares each stage boundary with the exit's per-sample shape; token features of a transformer are
  // [tokens, dim] in the graph, so the cut uses that shape (the exits list them flattened as well).
  const points = exitsInfo.exits.map((e) => ({
    tensor: e.tensor,
    shape: e.tensorShape ?? e.shape,
    layout: e.tensorShape ? 'NHWC' : e.layout,
  }));
  let cut;
  try {
    cut = cutModel(bytes, points);
  } catch (error) {
    report(false, `${name}: cutModel refuses the exits: ${error.message}`);
    return;
  }
  const batch = reference.shape[0];
  let x = new ort.Tensor('float32', toInput(reference.images.flat()), [batch, 1, 28, 28]);
  let worst = 0;
  for (const [l, stage] of cut.stages.entries()) {
    const session = await ort.InferenceSession.create(stage.model);
    const out = (await session.run({ [stage.input]: x }))[stage.output];
    const ref = reference.exits[l];
    const size = out.data.length / batch;
    if (ref.tensor !== stage.output || ref.size !== size) {
      report(false, `${name}: stage ${l} gives ${stage.output} (${size} values), reference has ${ref.tensor} (${ref.size})`);
      return;
    }
    for (let i = 0; i < batch; i++) {
      const row = out.data.subarray(i * size, (i + 1) * size);
      let sum = 0;
      let absSum = 0;
      for (const v of row) {
        sum += v;
        absSum += Math.abs(v);
      }
      const scale = Math.max(1, ref.absSum[i]);
      worst = Math.max(worst, Math.abs(sum - ref.sum[i]) / scale, Math.abs(absSum - ref.absSum[i]) / scale);
      ref.positions.forEach((p, k) => {
        worst = Math.max(worst, Math.abs(row[p] - ref.values[i][k]));
      });
    }
    x = out;
  }
  const nodes = cut.stages.map((s) => s.nodes).join('+');
  report(worst <= TOLERANCE, `${name}: cut at ${cut.stages.length} exits (nodes per stage ${nodes}), block outputs match PyTorch (worst ${worst.toExponential(2)})`);
}

let fullSplit;
async function fullTestSet() {
  if (!fullSplit) {
    const data = await import(join(repo, 'packages', 'data', 'dist', 'index.js'));
    const raw = await data.loadFashionMnistRaw({ cacheDir: '/tmp/offramp-fashion-cache' });
    const test = data.splitDataset(data.clothesDataset(raw), { train: 60000, validation: 0, test: 10000, seed: 7 }).test;
    // clothesDataset gives pixels / 255; back to 0..255 for toInput.
    fullSplit = { images: Float32Array.from(test.images, (v) => Math.round(v * 255)), labels: test.labels, n: test.n };
  }
  return fullSplit;
}

const small = existsSync(join(here, 'data', 'fashion-test-1000.npz')) ? readNpz(join(here, 'data', 'fashion-test-1000.npz')) : undefined;

for (const name of folders) {
  const bytes = readFileSync(join(root, name, 'model.onnx'));
  const reference = JSON.parse(readFileSync(join(root, name, 'reference.json'), 'utf8'));
  const exitsInfo = JSON.parse(readFileSync(join(root, name, 'exits.json'), 'utf8'));
  const session = await ort.InferenceSession.create(bytes);
  const batch = reference.shape[0];
  const pixels = reference.images.flat();
  const expected = reference.logits.flat();
  const logits = await logitsOf(session, pixels, batch);
  const diff = maxAbsDiff(logits.data, expected);
  report(diff <= TOLERANCE && logits.dims.join() === `${batch},10`, `${name}: logits of ${batch} test images (batch ${batch}) match PyTorch, max |diff| ${diff.toExponential(2)}`);
  let diffOne = 0;
  for (let i = 0; i < batch; i++) {
    const one = await logitsOf(session, pixels.slice(i * 784, (i + 1) * 784), 1);
    diffOne = Math.max(diffOne, maxAbsDiff(one.data, expected.slice(i * 10, (i + 1) * 10)));
  }
  report(diffOne <= TOLERANCE, `${name}: the same images one at a time (batch 1), max |diff| ${diffOne.toExponential(2)}`);
  await checkCut(name, bytes, exitsInfo, reference);
  if (small) {
    const acc = await accuracy(session, small.images.data, small.labels.data, small.labels.shape[0]);
    console.log(`     ${name}: accuracy on data/fashion-test-1000.npz ${(100 * acc).toFixed(2)}%`);
  }
  if (fullTest) {
    const test = await fullTestSet();
    const acc = await accuracy(session, test.images, test.labels, test.n);
    const claimed = exitsInfo.testAccuracy;
    report(Math.abs(acc - claimed) <= 2 / test.n, `${name}: accuracy on all ${test.n} test images ${(100 * acc).toFixed(2)}% (PyTorch: ${(100 * claimed).toFixed(2)}%)`);
  }
}
if (folders.length === 0) report(false, 'no model folder with model.onnx and reference.json');
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);


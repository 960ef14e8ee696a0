// Times an attached model (the output folder of `offramp attach`) against its full graph, at batch 1 and 128,
// on onnxruntime-node with one intra-op thread: the full graph, the JS-driven runner (runEarlyExit) and the
// compiled graph (early-exit.onnx). Until `offramp bench` exists:
//   node packages/cli/scripts/time-attached.mjs <attach output folder> <images .npz> [samples]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runEarlyExit } from '@offramp/core';
import { builtinGateRegistry } from '@offramp/gates';
import { CompiledEarlyExit, loadNodeRuntime, OnnxEngine, policyFromManifest } from '@offramp/onnx';
import { readOnnxBundle } from '@offramp/onnx/node';
import { unzipSync } from 'fflate';
import npyjs from 'npyjs';

const [dir, npz, count] = process.argv.slice(2);
if (!dir || !npz) {
  console.error('usage: time-attached.mjs <attach output folder> <images .npz> [samples]');
  process.exit(2);
}
const ort = await loadNodeRuntime();
const options = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const bundle = await readOnnxBundle(dir);
const engine = await OnnxEngine.create(ort, bundle, { sessionOptions: options });
const policy = policyFromManifest(bundle.manifest, builtinGateRegistry());
const compiled = await CompiledEarlyExit.create(ort, new Uint8Array(await readFile(join(dir, 'early-exit.onnx'))), options);
const images = new npyjs().parse(unzipSync(new Uint8Array(await readFile(npz)))['images.npy'].slice().buffer);
const size = bundle.manifest.inputShape.reduce((a, d) => a * d, 1);
const n = Math.min(Number(count ?? 2048), images.data.length / size);
const scale = images.dtype === 'uint8' ? 1 / 255 : 1;
const x = Float32Array.from(images.data.subarray(0, n * size), (v) => Number(v) * scale);

/** Median microseconds per sample over 3 passes, after a warm-up pass. */
async function time(batch, run) {
  const pass = async () => {
    const started = performance.now();
    for (let s = 0; s < n; s += batch) await run(x.subarray(s * size, Math.min(n, s + batch) * size), Math.min(batch, n - s));
    return ((performance.now() - started) * 1000) / n;
  };
  await pass();
  const runs = [await pass(), await pass(), await pass()].sort((a, b) => a - b);
  return runs[1];
}

console.log(`${n} samples, ${dir}`);
console.log('| batch | full (us/sample) | JS early exit | compiled early exit | JS speedup | compiled speedup |');
console.log('|---|---|---|---|---|---|');
for (const batch of [1, 128]) {
  const full = await time(batch, (input, b) => engine.runFull(input, b));
  const js = await time(batch, (input, b) => runEarlyExit(engine, policy, input, b));
  const one = await time(batch, (input, b) => compiled.run(input, b));
  console.log(`| ${batch} | ${full.toFixed(1)} | ${js.toFixed(1)} | ${one.toFixed(1)} | ${(full / js).toFixed(2)}x | ${(full / one).toFixed(2)}x |`);
}
await compiled.release();
await engine.release();

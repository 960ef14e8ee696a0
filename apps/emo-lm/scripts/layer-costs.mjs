// What one call of each step of the transformer LM costs on the tfjs wasm backend, for a model of the given size
// (random weights: the time does not depend on them). Usage: node scripts/layer-costs.mjs [layers] [dModel]
// Run after `pnpm exec turbo run build --filter=@offramp/app-emo-lm...`, with nothing else running.
import { createTransformerLm, useWasmBackend } from '@offramp/backbones';
import * as tf from '@tensorflow/tfjs';

const layers = Number(process.argv[2] ?? 8);
const dModel = Number(process.argv[3] ?? 192);
await useWasmBackend();
const lm = createTransformerLm({ vocabSize: 512, context: 64, dModel, layers, heads: 4, seed: 1 });
const past = 40;
let x = lm.embed(tf.tensor2d([Array.from({ length: past }, (_, i) => i)], [1, past], 'int32'), 0);
const caches = [];
for (let l = 0; l < layers; l++) {
  const out = lm.layer(l, x);
  caches.push({ keys: out.keys, values: out.values });
  x = out.output;
}
async function time(name, run, n = 200) {
  for (let i = 0; i < 10; i++) await run();
  const started = performance.now();
  for (let i = 0; i < n; i++) await run();
  console.log(`| ${name} | ${(((performance.now() - started) / n) * 1000).toFixed(0)} |`);
}
console.log(`${layers} layers, d = ${dModel}, vocabulary 512, ${past} cached positions, tfjs ${tf.getBackend()}\n`);
console.log('| step | microseconds per call |\n|---|---|');
const token = tf.tensor2d([[5]], [1, 1], 'int32');
await time('embed 1 token', async () => {
  const e = lm.embed(token, past);
  await e.data();
  e.dispose();
});
for (const t of [1, 3, 5]) {
  const h = tf.randomNormal([1, t, dModel]);
  await time(`one layer, ${t} position(s)`, async () => {
    const out = lm.layer(1, h, caches[1]);
    await out.output.data();
    for (const y of [out.output, out.keys, out.values]) y.dispose();
  });
  await time(`exit head, ${t} position(s)`, async () => {
    const logits = lm.head(h);
    await logits.data();
    logits.dispose();
  });
  h.dispose();
}
lm.dispose();

// What one session call of each decoding step of the transformer LM costs on onnxruntime-node, for a model of the
// given size (random weights: the time does not depend on them), at 32 cached positions, batch 1.
// Usage: node scripts/onnx-step-costs.mjs [layers] [dModel] [threads]
// Run after `pnpm exec turbo run build --filter=@offramp/app-emo-lm...`, with nothing else running.
import { createTransformerLm } from '@offramp/backbones';
import { createOnnxLmRuntime } from '@offramp/sequence';
import * as tf from '@tensorflow/tfjs';

const [layers, dModel, threads] = [Number(process.argv[2] ?? 8), Number(process.argv[3] ?? 256), Number(process.argv[4] ?? 1)];
await tf.setBackend('cpu');
const lm = createTransformerLm({ vocabSize: 512, context: 64, dModel, layers, heads: 4, seed: 1 });
const runtime = await createOnnxLmRuntime(lm, { sessionOptions: { intraOpNumThreads: threads, interOpNumThreads: 1 } });
await runtime.prepare([1, 2, 3, 4]);
const batch = runtime.openBatch(1);
const past = 32;
await batch.feed({ tokens: Array.from({ length: past }, (_, i) => i), starts: [0], t: past }, layers, causal(0, past), false);

/** The additive causal mask of t new positions after p cached ones. */
function causal(p, t) {
  const mask = new Float32Array(t * (p + t));
  for (let i = 0; i < t; i++) mask.fill(-1e9, i * (p + t) + p + i + 1, (i + 1) * (p + t));
  return mask;
}
async function time(name, run, n = 300) {
  for (let i = 0; i < 20; i++) await run();
  const started = performance.now();
  for (let i = 0; i < n; i++) await run();
  console.log(`| ${name} | ${(((performance.now() - started) / n) * 1000).toFixed(0)} |`);
}
console.log(`${layers} layers, d = ${dModel}, vocabulary 512, ${past} cached positions, onnxruntime-node, ${threads} thread(s)\n`);
console.log('| step (one session call) | microseconds |\n|---|---|');
await time(`full model, 1 token (embedding, ${layers} layers, head)`, async () => {
  await batch.feed({ tokens: [5], starts: [past], t: 1 }, layers, causal(past, 1), true);
  batch.truncate(past);
});
for (const d of [1, 2, 3, 4]) {
  await time(`draft step, d = ${d} (embedding, ${d} layers, head)`, async () => {
    await batch.feed({ tokens: [5], starts: [past], t: 1 }, d, causal(past, 1), true);
    batch.truncate(past);
  });
}
for (const t of [1, 3, 5]) {
  const hidden = new Float32Array(t * dModel).fill(0.1);
  await time(`verification after d = 2, ${t} position(s) (${layers - 2} layers, head)`, async () => {
    await batch.feed({ tokens: Array(t).fill(5), starts: [past], t }, 2, causal(past, t), false);
    await batch.finish([hidden], 2, causal(past, t));
    batch.truncate(past);
  });
}
await runtime.release();
lm.dispose();

// What one training step of the transformer LM (mean cross-entropy of every exit, Adam) costs on the tfjs wasm
// backend, for the given size and batch (random weights and tokens; context 64, vocabulary 512, 4 heads).
// Usage: node scripts/train-step-cost.mjs [layers] [dModel] [batch]
// Run after `pnpm exec turbo run build --filter=@offramp/app-emo-lm...`, with nothing else running.
import { createTransformerLm, useWasmBackend } from '@offramp/backbones';
import { crossEntropyPerSample } from '@offramp/losses';
import * as tf from '@tensorflow/tfjs';

const [layers, dModel, batch] = [Number(process.argv[2] ?? 8), Number(process.argv[3] ?? 256), Number(process.argv[4] ?? 32)];
await useWasmBackend();
const lm = createTransformerLm({ vocabSize: 512, context: 64, dModel, layers, heads: 4, seed: 1 });
const optimizer = tf.train.adam(1e-3);
const inputs = tf.tensor2d(Array.from({ length: batch * 64 }, (_, i) => (i * 7) % 512), [batch, 64], 'int32');
const targets = tf.tensor1d(Array.from({ length: batch * 64 }, (_, i) => (i * 11) % 512), 'int32');
const step = () => {
  const loss = optimizer.minimize(
    () =>
      tf.tidy(() => {
        const terms = lm.exitLogits(inputs).map((z) => tf.mean(crossEntropyPerSample(tf.reshape(z, [-1, 512]), targets)));
        return tf.div(tf.addN(terms), terms.length);
      }),
    true,
    lm.variables,
  );
  loss.dataSync();
  loss.dispose();
};
console.log(`${layers} layers, d = ${dModel}, batch ${batch}, ${lm.variables.reduce((s, v) => s + v.size, 0)} parameters, tfjs ${tf.getBackend()}`);
try {
  step();
  const started = performance.now();
  for (let i = 0; i < 3; i++) step();
  console.log(`one training step: ${((performance.now() - started) / 3 / 1000).toFixed(1)} s`);
} catch (error) {
  console.log(`one training step: fails (${error instanceof Error ? error.message : String(error)})`);
}

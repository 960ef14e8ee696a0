import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageDataset } from '@offramp/data';
import { createLinearHead, type TfModule } from '@offramp/heads';
import { buildBundle, extractFeatures, importOnnxBackbone, type OnnxBundle, type OrtRuntime } from '@offramp/onnx';
import { exportHead } from '@offramp/onnx/export';
import * as tf from '@tensorflow/tfjs';

/** Where the PyTorch-exported fixture of @offramp/onnx lives (made once by its make_fixture.py with torch.onnx.export). */
export function torchFixtureDir(appDir: string): string {
  return join(appDir, '..', '..', 'packages', 'onnx', 'test', 'fixtures');
}

interface FixtureSpec {
  readonly model: string;
  readonly exits: { readonly tensor: string; readonly shape: number[]; readonly layout: 'NCHW' | 'NHWC' | 'flat' }[];
}

/** MACs per sample of the fixture's three stages: conv 1->8 3x3 at 28x28, conv 8->16 3x3 at 14x14, dense 784->64. */
const TORCH_CNN_MACS = [28 * 28 * 8 * 9, 14 * 14 * 16 * 8 * 9, 784 * 64];

/** Trains a linear head on host features with full-batch Adam. */
function trainHead(features: Float32Array, labels: Int32Array, shape: readonly number[], seed: number, steps: number): TfModule {
  const head = createLinearHead({ inputShape: shape, classes: 10, pool: 'flatten', seed, name: `bench-torch-head${seed}` });
  const n = labels.length;
  const optimizer = tf.train.adam(0.01);
  const x = tf.tensor(features, [n, ...shape]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  try {
    for (let step = 0; step < steps; step++) {
      tf.tidy(() => {
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, head.apply(x, true)) as tf.Scalar, false, [...head.variables]);
      });
    }
  } finally {
    x.dispose();
    y.dispose();
    optimizer.dispose();
  }
  return head;
}

/**
 * A model as users bring it: the small CNN PyTorch exported to ONNX (`torch.onnx.export`, seeded
 * random weights: its features are untrained), cut at its three stage outputs with
 * `importOnnxBackbone`, with a linear exit head per stage trained here on its features of the
 * training digits, exported and bundled.
 */
export async function importedTorchBundle(runtime: OrtRuntime, appDir: string, train: ImageDataset, steps = 120): Promise<OnnxBundle> {
  const dir = torchFixtureDir(appDir);
  const spec = JSON.parse(await readFile(join(dir, 'torch-cnn.json'), 'utf8')) as FixtureSpec;
  const model = new Uint8Array(await readFile(join(dir, spec.model)));
  const backbone = await importOnnxBackbone({ model, exits: spec.exits, macs: TORCH_CNN_MACS }, { runtime });
  const features = await extractFeatures(runtime, backbone, train.images, train.n);
  const heads: TfModule[] = [];
  try {
    backbone.headInputShapes.forEach((shape, l) => {
      heads.push(trainHead(features[l]!, train.labels, shape, 40 + l, steps));
    });
    return buildBundle({
      name: 'torch-cnn',
      inputShape: backbone.inputShape,
      classes: 10,
      stages: backbone.stages,
      heads: heads.map((h, l) => exportHead(h, backbone.stages[l]!.feature, `heads[${l}]`)),
    });
  } finally {
    for (const h of heads) h.dispose();
  }
}

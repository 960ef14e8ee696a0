import { shapeSize } from '@offramp/core';
import { extractFeatures, type ImportedBackbone, type OrtRuntime } from '@offramp/onnx';
import { inChunks } from './step-progress.js';

/** extractFeatures over all samples in chunks, with a progress bar: each exit's channels-last features. */
export async function featuresWithProgress(
  runtime: OrtRuntime,
  backbone: ImportedBackbone,
  images: Float32Array,
  n: number,
  label: string,
): Promise<Float32Array[]> {
  const perSample = shapeSize(backbone.inputShape);
  const sizes = backbone.headInputShapes.map((s) => shapeSize(s));
  const out = sizes.map((size) => new Float32Array(n * size));
  await inChunks(label, n, 512, async (start, count) => {
    const part = await extractFeatures(runtime, backbone, images.subarray(start * perSample, (start + count) * perSample), count);
    part.forEach((f, l) => {
      out[l]!.set(f, start * sizes[l]!);
    });
  });
  return out;
}

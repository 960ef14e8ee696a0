import { ArgumentError, validateInput, shapeSize } from '@offramp/core';
import type { StagePart } from './bundle.js';
import { nchwToNhwc } from './feature.js';
import { runSession } from './run-session.js';
import type { OrtRuntime, OrtSessionOptions } from './runtime.js';

/**
 * Runs the stages of a backbone (e.g. an imported one) over `n` samples and returns each stage's
 * features on the host, channels-last: the data to train exit heads on.
 */
export async function extractFeatures(
  runtime: OrtRuntime,
  backbone: { readonly inputShape: readonly number[]; readonly stages: readonly StagePart[] },
  input: Float32Array,
  n: number,
  options: { readonly batchSize?: number; readonly sessionOptions?: OrtSessionOptions } = {},
): Promise<Float32Array[]> {
  validateInput(input, n, backbone.inputShape);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ArgumentError({ field: 'batchSize', expected: 'a whole number >= 1', received: String(batchSize) });
  }
  const sessions = await Promise.all(
    backbone.stages.map((s) => runtime.InferenceSession.create(s.model, options.sessionOptions)),
  );
  try {
    const perSample = shapeSize(backbone.inputShape);
    const out = backbone.stages.map((s) => new Float32Array(n * shapeSize(s.feature.shape)));
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      let x = new runtime.Tensor('float32', input.slice(start * perSample, (start + count) * perSample), [
        count,
        ...backbone.inputShape,
      ]);
      for (let l = 0; l < sessions.length; l++) {
        const stage = backbone.stages[l]!;
        const result = await runSession(sessions[l]!, { [stage.input]: x }, [stage.output], `stage ${l}`);
        x = result[stage.output]!;
        const data = x.data as Float32Array;
        const host = stage.feature.layout === 'NCHW' ? nchwToNhwc(data, count, stage.feature.shape) : data;
        out[l]!.set(host, start * shapeSize(stage.feature.shape));
      }
    }
    return out;
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
}

import { GraphBuilder, type OrtRuntime, type OrtSessionOptions } from '@offramp/onnx';

/**
 * Seconds per onnxruntime session call for a graph that does almost nothing (one ReLU over 10
 * values at batch 1): the fixed cost every stage call pays on top of its compute.
 */
export async function measureCallOverhead(
  runtime: OrtRuntime,
  sessionOptions: OrtSessionOptions,
  calls = 2000,
): Promise<number> {
  const b = new GraphBuilder('overhead');
  b.node('Relu', ['x'], {}, 'y');
  const session = await runtime.InferenceSession.create(
    b.toModel([{ name: 'x', shape: [10] }], [{ name: 'y', shape: [10] }]),
    sessionOptions,
  );
  try {
    const x = new runtime.Tensor('float32', new Float32Array(10), [1, 10]);
    for (let i = 0; i < 200; i++) await session.run({ x }, ['y']);
    const started = performance.now();
    for (let i = 0; i < calls; i++) await session.run({ x }, ['y']);
    return (performance.now() - started) / 1000 / calls;
  } finally {
    await session.release();
  }
}

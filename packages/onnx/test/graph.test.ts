import { describe, expect, it } from 'vitest';
import { appendLayers, checkFeatureSpec, GraphBuilder, hostShape, nchwToNhwc } from '../src/index.js';
import { nodeRuntime } from './helpers.js';

async function run(model: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const ort = await nodeRuntime();
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ x: new ort.Tensor('float32', input, dims) }, ['y']);
  await session.release();
  return out.y!.data as Float32Array;
}

describe('layers to ONNX, on hand-computed numbers', () => {
  it("pads a 'same' 2x2 convolution at the end, as tfjs does", async () => {
    // x = [[1,2,3],[4,5,6],[7,8,9]], kernel taps (0,0) and (1,1), bias 0.5:
    // y[i][j] = x[i][j] + x[i+1][j+1] (0 past the edge) + 0.5
    const b = new GraphBuilder('t');
    appendLayers(
      b,
      { name: 'x', feature: { shape: [3, 3, 1], layout: 'NHWC' } },
      [
        {
          op: 'conv2d',
          kernel: { shape: [2, 2, 1, 1], values: Float32Array.from([1, 0, 0, 1]) },
          bias: { shape: [1], values: Float32Array.from([0.5]) },
          strides: 1,
          padding: 'same',
        },
      ],
      'layers',
    );
    b.renameLast('y');
    const model = b.toModel([{ name: 'x', shape: [3, 3, 1] }], [{ name: 'y', shape: [1, 3, 3] }]);
    const y = await run(model, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 3, 3, 1]);
    expect(Array.from(y)).toEqual([6.5, 8.5, 3.5, 12.5, 14.5, 6.5, 7.5, 8.5, 9.5]);
  });

  it('flattens an NCHW map in channels-last order before a dense layer (kernel rows permuted)', async () => {
    // Map [C=2, H=1, W=2] = channel 0: (1, 2), channel 1: (10, 20). Channels-last flattening is
    // (1, 10, 2, 20); the kernel picks weights 1, 2, 3, 4 for them: 1 + 20 + 6 + 80 = 107.
    const b = new GraphBuilder('t');
    appendLayers(
      b,
      { name: 'x', feature: { shape: [2, 1, 2], layout: 'NCHW' } },
      [
        { op: 'flatten' },
        {
          op: 'dense',
          kernel: { shape: [4, 1], values: Float32Array.from([1, 2, 3, 4]) },
          bias: { shape: [1], values: Float32Array.from([0]) },
        },
      ],
      'layers',
    );
    b.renameLast('y');
    const model = b.toModel([{ name: 'x', shape: [2, 1, 2] }], [{ name: 'y', shape: [1] }]);
    expect(Array.from(await run(model, Float32Array.from([1, 2, 10, 20]), [1, 2, 1, 2]))).toEqual([107]);
  });

  it('averages and maxes over space, per channel', async () => {
    for (const [kind, expected] of [
      ['avg', [1.5, 15]],
      ['max', [2, 20]],
    ] as const) {
      const b = new GraphBuilder('t');
      appendLayers(b, { name: 'x', feature: { shape: [2, 1, 2], layout: 'NCHW' } }, [{ op: 'globalPool', kind }], 'l');
      b.renameLast('y');
      const model = b.toModel([{ name: 'x', shape: [2, 1, 2] }], [{ name: 'y', shape: [2] }]);
      expect(Array.from(await run(model, Float32Array.from([1, 2, 10, 20]), [1, 2, 1, 2]))).toEqual(expected);
    }
  });

  it('rejects a dense kernel that does not fit the features', () => {
    const b = new GraphBuilder('t');
    const dense = {
      op: 'dense' as const,
      kernel: { shape: [3, 1], values: new Float32Array(3) },
      bias: { shape: [1], values: new Float32Array(1) },
    };
    expect(() => appendLayers(b, { name: 'x', feature: { shape: [4], layout: 'flat' } }, [dense], 'layers')).toThrow(
      /layers\[0\]\.kernel/,
    );
  });
});

describe('feature layouts', () => {
  it('transposes NCHW to NHWC per sample', () => {
    // Two samples of [C=2, H=1, W=2].
    const nchw = Float32Array.from([1, 2, 10, 20, 3, 4, 30, 40]);
    expect(Array.from(nchwToNhwc(nchw, 2, [2, 1, 2]))).toEqual([1, 10, 2, 20, 3, 30, 4, 40]);
  });

  it('gives the host shape of each layout and rejects bad specs', () => {
    expect(hostShape({ shape: [8, 14, 12], layout: 'NCHW' })).toEqual([14, 12, 8]);
    expect(hostShape({ shape: [7, 7, 16], layout: 'NHWC' })).toEqual([7, 7, 16]);
    expect(() => checkFeatureSpec({ shape: [8, 14], layout: 'NCHW' }, 'f')).toThrow(/f\.shape/);
    expect(() => checkFeatureSpec({ shape: [8, 2], layout: 'flat' }, 'f')).toThrow(/f\.shape/);
    expect(() => checkFeatureSpec({ shape: [8], layout: 'NCWH' as 'NCHW' }, 'f')).toThrow(/f\.layout/);
    expect(() => checkFeatureSpec({ shape: [0], layout: 'flat' }, 'f')).toThrow(/f\.shape/);
  });
});

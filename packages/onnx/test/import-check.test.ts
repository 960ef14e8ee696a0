import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArgumentError, type OfframpError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ExitPoint,
  GraphBuilder,
  importOnnxBackbone,
  OnnxModelError,
  type OrtRuntime,
  probeTensors,
} from '../src/index.js';
import { decodeModel, encodeModel } from '../src/proto.js';
import { nodeRuntime } from './helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const MACS = [1, 1, 1];

let runtime: OrtRuntime;
let model: Uint8Array;
let exits: ExitPoint[];
let stageFiles: Uint8Array[];

beforeAll(async () => {
  runtime = await nodeRuntime();
  const fixture = JSON.parse(await readFile(join(FIXTURES, 'torch-cnn.json'), 'utf8')) as { exits: ExitPoint[]; stageFiles: string[] };
  exits = fixture.exits;
  model = new Uint8Array(await readFile(join(FIXTURES, 'torch-cnn.onnx')));
  stageFiles = await Promise.all(fixture.stageFiles.map(async (file) => new Uint8Array(await readFile(join(FIXTURES, file)))));
});

async function rejection(promise: Promise<unknown>): Promise<OfframpError> {
  try {
    await promise;
  } catch (error) {
    return error as OfframpError;
  }
  throw new Error('expected a rejection');
}

/** The fixture's exits with exit `l` replaced. */
const withExit = (l: number, exit: Partial<ExitPoint>): ExitPoint[] => exits.map((e, i) => (i === l ? { ...e, ...exit } : e));

// The PyTorch fixture: exit 0 is a MaxPool output, NCHW [8, 14, 14]; exit 1 a Transpose of a MaxPool output to
// NHWC [7, 7, 16]; exit 2 a flat [64].
describe('importOnnxBackbone checks each exit against a probe run of the cut graph', () => {
  it('accepts the right specs', async () => {
    const backbone = await importOnnxBackbone({ model, exits, macs: MACS }, { runtime });
    expect(backbone.headInputShapes).toEqual([[14, 14, 8], [7, 7, 16], [64]]);
  });

  it('a shape that is the right one transposed names the exit, both shapes and the layout that matches', async () => {
    const error = await rejection(importOnnxBackbone({ model, exits: withExit(0, { shape: [14, 14, 8], layout: 'NHWC' }), macs: MACS }, { runtime }));
    expect(error).toBeInstanceOf(OnnxModelError);
    expect(error.field).toBe('exits[0].shape');
    expect(error.expected).toBe('[8, 14, 14], the per-sample shape the graph gives for "/stages.0/MaxPool_output_0"');
    expect(error.received).toBe("[14, 14, 8] (declared with layout 'NHWC')");
    expect(error.message).toContain('[8, 14, 14] is the NHWC [14, 14, 8] in NCHW order');
    expect(error.message).toContain('channels-first (from MaxPool "/stages.0/MaxPool")');
    expect(error.message).toContain("declare { shape: [8, 14, 14], layout: 'NCHW' }");
  });

  it('the other way round: NCHW declared for a channels-last tensor', async () => {
    const error = await rejection(importOnnxBackbone({ model, exits: withExit(1, { shape: [16, 7, 7], layout: 'NCHW' }), macs: MACS }, { runtime }));
    expect(error.field).toBe('exits[1].shape');
    expect(error.message).toContain('received [16, 7, 7]');
    expect(error.message).toContain('[7, 7, 16] is the NCHW [16, 7, 7] in NHWC order');
    expect(error.message).toContain("declare { shape: [7, 7, 16], layout: 'NHWC' }");
  });

  it('a wrong size (not only a wrong order) is caught too, before onnxruntime fails inside a later stage', async () => {
    const error = await rejection(importOnnxBackbone({ model, exits: withExit(0, { shape: [8, 12, 12] }), macs: MACS }, { runtime }));
    expect(error).toBeInstanceOf(OnnxModelError);
    expect(error.field).toBe('exits[0].shape');
    expect(error.message).toContain("declare { shape: [8, 14, 14], layout: 'NCHW' }");
    const flat = await rejection(importOnnxBackbone({ model, exits: withExit(2, { shape: [32] }), macs: MACS }, { runtime }));
    expect(flat.field).toBe('exits[2].shape');
    expect(flat.message).toContain("declare { shape: [64], layout: 'flat' }");
  });

  it('a map declared flat gets the map shape and its layout suggested', async () => {
    const error = await rejection(importOnnxBackbone({ model, exits: withExit(0, { shape: [8 * 14 * 14], layout: 'flat' }), macs: MACS }, { runtime }));
    expect(error.field).toBe('exits[0].shape');
    expect(error.message).toContain("declare { shape: [8, 14, 14], layout: 'NCHW' }");
  });

  it('the right shape with the wrong layout (features that would come out mis-ordered) names exits[l].layout', async () => {
    const nhwc = await rejection(importOnnxBackbone({ model, exits: withExit(0, { layout: 'NHWC' }), macs: MACS }, { runtime }));
    expect(nhwc).toBeInstanceOf(OnnxModelError);
    expect(nhwc.field).toBe('exits[0].layout');
    expect(nhwc.received).toBe("'NHWC'");
    expect(nhwc.expected).toMatch(/^'NCHW': the graph computes it channels-first \(from MaxPool/);
    expect(nhwc.message).toContain('mis-ordered');

    const nchw = await rejection(importOnnxBackbone({ model, exits: withExit(1, { layout: 'NCHW' }), macs: MACS }, { runtime }));
    expect(nchw.field).toBe('exits[1].layout');
    expect(nchw.expected).toMatch(/^'NHWC': the graph computes it channels-last \(from MaxPool and a Transpose/);
  });

  it('stage files are checked the same way, naming stages[l]', async () => {
    const stages = stageFiles.map((file, l) => ({ model: file, ...exits[l]! }));
    const ok = await importOnnxBackbone({ stages, macs: MACS }, { runtime });
    expect(ok.headInputShapes).toEqual([[14, 14, 8], [7, 7, 16], [64]]);
    const shape = await rejection(
      importOnnxBackbone({ stages: stages.map((s, l) => (l === 1 ? { ...s, shape: [16, 7, 7], layout: 'NCHW' as const } : s)), macs: MACS }, { runtime }),
    );
    expect(shape.field).toBe('stages[1].shape');
    const layout = await rejection(
      importOnnxBackbone({ stages: stages.map((s, l) => (l === 0 ? { ...s, layout: 'NHWC' as const } : s)), macs: MACS }, { runtime }),
    );
    expect(layout.field).toBe('stages[0].layout');
  });
});

/** Input [2, 6, 6] -> Conv (4 channels, NCHW [4, 6, 6]) -> Relu; `tail` adds nodes after it. */
function convModel(tail: (g: GraphBuilder, relu: string) => string, outputShape: number[]): { model: Uint8Array; conv: string; relu: string; out: string } {
  const g = new GraphBuilder('m');
  const w = g.weight('w', { shape: [4, 2, 3, 3], values: Float32Array.from({ length: 72 }, (_, i) => ((i % 5) - 2) / 10) });
  const conv = g.node('Conv', ['x', w], { pads: { ints: [1, 1, 1, 1] } }, 'conv');
  const relu = g.node('Relu', [conv], {}, 'relu');
  const out = tail(g, relu);
  return { model: g.toModel([{ name: 'x', shape: [2, 6, 6] }], [{ name: out, shape: outputShape }]), conv, relu, out };
}

describe('layouts the graph cannot tell, and exits that are not features', () => {
  it('after a Reshape only the declared shape tells: a transposed declaration is still named', async () => {
    // Reshape [4, 6, 6] -> [4, 36] -> [6, 6, 4]: a rank-3 map of unknown order.
    const m = convModel((g, relu) => g.node('Reshape', [relu, g.constant([-1, 6, 6, 4], 'int64')], {}, 'map'), [6, 6, 4]);
    const error = await rejection(importOnnxBackbone({ model: m.model, exits: [{ tensor: m.out, shape: [6, 4, 6], layout: 'NHWC' }], macs: [1] }, { runtime }));
    expect(error.field).toBe('exits[0].shape');
    expect(error.message).toContain("declare { shape: [6, 6, 4], layout: 'NCHW' }");
    expect(error.message).not.toContain('channels-first (from');
    // Unknown order and a flat declaration: both layouts are offered.
    const flat = await rejection(importOnnxBackbone({ model: m.model, exits: [{ tensor: m.out, shape: [144], layout: 'flat' }], macs: [1] }, { runtime }));
    expect(flat.message).toContain("layout: 'NCHW' } if its first axis holds the channels, or 'NHWC' if its last does");
    // Either layout is accepted where the graph cannot tell.
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const backbone = await importOnnxBackbone({ model: m.model, exits: [{ tensor: m.out, shape: [6, 6, 4], layout }], macs: [1] }, { runtime });
      expect(backbone.stages).toHaveLength(1);
    }
  });

  it('a stage file that only keeps the axis order takes the layout declared for the stage before it', async () => {
    const first = convModel((_g, relu) => relu, [4, 6, 6]);
    const g = new GraphBuilder('s1');
    const out = g.node('Relu', ['x'], {}, 'y');
    const second = g.toModel([{ name: 'x', shape: [4, 6, 6] }], [{ name: out, shape: [4, 6, 6] }]);
    const stages = [
      { model: first.model, shape: [4, 6, 6], layout: 'NCHW' as const },
      { model: second, shape: [4, 6, 6], layout: 'NHWC' as const },
    ];
    const error = await rejection(importOnnxBackbone({ stages, macs: [1, 1] }, { runtime }));
    expect(error.field).toBe('stages[1].layout');
    expect(error.expected).toContain('from the graph input');
  });

  it('an exit without the batch axis first, or not float32, is named', async () => {
    const mixed = convModel((g, relu) => g.node('Reshape', [relu, g.constant([1, -1], 'int64')], {}, 'mixed'), [288]);
    const batch = await rejection(importOnnxBackbone({ model: mixed.model, exits: [{ tensor: mixed.out, shape: [144], layout: 'flat' }], macs: [1] }, { runtime }));
    expect(batch).toBeInstanceOf(OnnxModelError);
    expect(batch.field).toBe('exits[0].tensor');
    expect(batch.received).toBe('"mixed" of shape [1, 288]');

    const ints = convModel((g, relu) => g.cast(relu, 'int32'), [4, 6, 6]);
    const type = await rejection(importOnnxBackbone({ model: ints.model, exits: [{ tensor: ints.out, shape: [4, 6, 6], layout: 'NCHW' }], macs: [1] }, { runtime }));
    // The cut declares float features, which onnxruntime refuses to load for an int32 tensor.
    expect(type).toBeInstanceOf(OnnxModelError);
    expect(type.field).toBe('exits[0].tensor');
    expect(type.message).toMatch(/tensor\(int32\)/);
  });

  it('a model with a fixed batch is refused before the probe, naming its input', async () => {
    const m = convModel((_g, relu) => relu, [4, 6, 6]);
    const decoded = decodeModel(m.model, 'model');
    decoded.graph!.input![0]!.type!.tensorType!.shape!.dim![0] = { dimValue: 1 };
    const error = await rejection(
      importOnnxBackbone({ model: encodeModel(decoded), exits: [{ tensor: m.relu, shape: [4, 6, 6], layout: 'NCHW' }], macs: [1] }, { runtime }),
    );
    expect(error).toBeInstanceOf(OnnxModelError);
    expect(error.field).toBe('model.graph.input[0]');
    expect(error.received).toBe('a fixed batch of 1');
  });

  it('bad options are typed errors', async () => {
    const m = convModel((_g, relu) => relu, [4, 6, 6]);
    const spec = { model: m.model, exits: [{ tensor: m.relu, shape: [4, 6, 6], layout: 'NCHW' as const }], macs: [1] };
    const error = await rejection(importOnnxBackbone(spec, { runtime: {} as OrtRuntime }));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.field).toBe('options.runtime');
    const notObject = await rejection(importOnnxBackbone(spec, null as never));
    expect(notObject.field).toBe('options');
  });
});

describe('probeTensors: every tensor of a model with its shape', () => {
  it('lists the tensors a model can be cut at, with per-sample shapes and types', async () => {
    const tensors = await probeTensors(runtime, model, { batch: 3 });
    expect(tensors.get('/stages.0/MaxPool_output_0')).toEqual({ shape: [8, 14, 14], type: 'float32', batched: true });
    expect(tensors.get('/stages.1/Transpose_output_0')?.shape).toEqual([7, 7, 16]);
    expect(tensors.get('y')?.shape).toEqual([10]);
    for (const exit of exits) expect(tensors.get(exit.tensor)?.shape).toEqual(exit.shape);
  });

  it('bad input is a typed error', async () => {
    await expect(probeTensors(runtime, model, { batch: 0 })).rejects.toBeInstanceOf(ArgumentError);
    await expect(probeTensors(runtime, new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(OnnxModelError);
  });
});

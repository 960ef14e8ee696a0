import {
  CountMismatchError,
  defineGate,
  EmptyBatchError,
  GateNotCompilableError,
  InputShapeError,
  NonFiniteInputError,
  OfframpError,
  ThresholdRangeError,
} from '@offramp/core';
import { hiddenStateGate, jeiGate, maxProbGate, similarityGate } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  CompiledEarlyExit,
  compileEarlyExit,
  type FeatureSpec,
  type HostLayer,
  type OnnxBundle,
  OnnxModelError,
} from '../src/index.js';
import { decodeModel, encodeModel } from '../src/proto.js';
import { dense, part, tinyMlp } from './compile-nets.js';
import { nodeRuntime, uniform } from './helpers.js';

const net = tinyMlp();
const context = { exits: 3, classes: 4 };
const maxProb = maxProbGate.create({}, context);

function caught(run: () => unknown): OfframpError {
  try {
    run();
  } catch (error) {
    if (error instanceof OfframpError) return error;
    throw error;
  }
  throw new Error('expected an OfframpError');
}

/** A 2-exit MLP bundle whose graphs are built from the given specs, so they may disagree. */
function bundleOf(options: {
  stageInputs?: [number, number];
  stageOutputs?: [number, number];
  headInputs?: [number, number];
  headClasses?: [number, number];
  declared?: [number, number];
}): OnnxBundle {
  const stageIn = options.stageInputs ?? [5, 6];
  const stageOut = options.stageOutputs ?? [6, 6];
  const headIn = options.headInputs ?? [6, 6];
  const headClasses = options.headClasses ?? [3, 3];
  const declared = options.declared ?? stageOut;
  const flat = (d: number): FeatureSpec => ({ shape: [d], layout: 'flat' });
  const stages = [0, 1].map((l) => {
    const layers: HostLayer[] = [dense(stageIn[l]!, stageOut[l]!, 40 + l), { op: 'relu' }];
    const p = part(flat(stageIn[l]!), layers, `s${l}`);
    return { model: p.model, input: 'x', output: 'y', feature: flat(declared[l]!), macs: 1 };
  });
  const heads = [0, 1].map((l) => {
    const p = part(flat(headIn[l]!), [dense(headIn[l]!, headClasses[l]!, 50 + l)], `h${l}`);
    return { model: p.model, input: 'x', output: 'y', macs: 1 };
  });
  return buildBundle({ inputShape: [5], classes: 3, stages, heads });
}

describe('compileEarlyExit rejects what it cannot compile, with typed errors naming the field', () => {
  it('a gate without an ONNX form (the similarity gate, a custom gate): GateNotCompilableError', () => {
    const similarity = similarityGate.create({}, context);
    const error = caught(() => compileEarlyExit(net.bundle, { gate: similarity, thresholds: [0.9, 0.9] }));
    expect(error).toBeInstanceOf(GateNotCompilableError);
    expect(error.code).toBe('GATE_NOT_COMPILABLE');
    expect(error.field).toBe('policy.gate');
    expect(error.received).toContain('"similarity"');
    const custom = defineGate({ name: 'js-only', range: { min: 0, max: 1 }, defaultThreshold: 0.5, score: () => (s) => new Float32Array(s.batch) });
    expect(() => compileEarlyExit(net.bundle, { gate: custom.create({}, context), thresholds: 0.5 })).toThrow(/js-only/);
  });

  it('thresholds of the wrong count or out of the gate range: core CountMismatchError / ThresholdRangeError', () => {
    const count = caught(() => compileEarlyExit(net.bundle, { gate: maxProb, thresholds: [0.5] }));
    expect(count).toBeInstanceOf(CountMismatchError);
    expect(count.field).toBe('policy.thresholds');
    const range = caught(() => compileEarlyExit(net.bundle, { gate: maxProb, thresholds: Float64Array.from([0.5, 1.5]) }));
    expect(range).toBeInstanceOf(ThresholdRangeError);
    expect(range.field).toBe('policy.thresholds[1]');
    expect(caught(() => compileEarlyExit(net.bundle, { gate: maxProb, thresholds: [Number.NaN, 0.5] })).field).toBe(
      'policy.thresholds[0]',
    );
  });

  it('graphs that disagree on shapes: InputShapeError naming the manifest field', () => {
    const gate = maxProbGate.create({}, { exits: 2, classes: 3 });
    const policy = { gate, thresholds: [0.5] };
    expect(() => compileEarlyExit(bundleOf({}), policy)).not.toThrow();
    const cases: [Parameters<typeof bundleOf>[0], string][] = [
      [{ headInputs: [6, 7] }, 'manifest.heads[1].input'],
      [{ stageInputs: [5, 4], stageOutputs: [6, 6] }, 'manifest.stages[1].input'],
      [{ stageInputs: [4, 6] }, 'manifest.stages[0].input'],
      [{ headClasses: [4, 3] }, 'manifest.heads[0].outputs[0]'],
      [{ declared: [6, 8], headInputs: [6, 8] }, 'manifest.stages[1].feature.shape'],
    ];
    for (const [spec, field] of cases) {
      const error = caught(() => compileEarlyExit(bundleOf(spec), policy));
      expect(error, field).toBeInstanceOf(InputShapeError);
      expect(error.field).toBe(field);
    }
  });

  it('a graph of an unsupported opset or a missing file: OnnxModelError naming the file', () => {
    const model = decodeModel(net.bundle.files['stage1.onnx']!, 'stage1');
    const old = encodeModel({ ...model, opsetImport: [{ domain: '', version: 11 }] });
    const error = caught(() =>
      compileEarlyExit({ ...net.bundle, files: { ...net.bundle.files, 'stage1.onnx': old } }, { gate: maxProb, thresholds: 0.5 }),
    );
    expect(error).toBeInstanceOf(OnnxModelError);
    expect(error.field).toBe('files["stage1.onnx"].opsetImport');
    const { 'head2.onnx': _dropped, ...rest } = net.bundle.files;
    expect(caught(() => compileEarlyExit({ ...net.bundle, files: rest }, { gate: maxProb, thresholds: 0.5 })).field).toBe(
      'files["head2.onnx"]',
    );
  });

  it('learned gate weights for another number of exits than the bundle: CountMismatchError', () => {
    const twoExits = { exits: 2, classes: 4 };
    const jei = jeiGate.create({ weights: [[1, 0, 0, 0]], biases: [0] }, twoExits);
    expect(caught(() => compileEarlyExit(net.bundle, { gate: jei, thresholds: 0.5 }))).toBeInstanceOf(CountMismatchError);
    const hidden = hiddenStateGate.create({ weights: [[1, 0, 0, 0, 0, 0, 0, 0]], biases: [0] }, twoExits);
    expect(caught(() => compileEarlyExit(net.bundle, { gate: hidden, thresholds: 0.5 })).field).toBe('options.weights.length');
  });

  it('a graph form that gives no score at a gated exit: ArgumentError naming the gate and exit', () => {
    const silent = defineGate({
      name: 'silent',
      range: { min: 0, max: 1 },
      defaultThreshold: 0.5,
      score: () => (s) => new Float32Array(s.batch),
      onnx: () => () => ({}),
    });
    expect(() => compileEarlyExit(net.bundle, { gate: silent.create({}, context), thresholds: 0.5 })).toThrow(
      /gate "silent" onnx form at exit 0/,
    );
  });
});

describe('CompiledEarlyExit.run validates its input with typed errors', () => {
  it('wrong length, non-finite values, an empty or fractional batch, a released session', async () => {
    const compiled = await CompiledEarlyExit.create(await nodeRuntime(), compileEarlyExit(net.bundle, { gate: maxProb, thresholds: 0.5 }));
    const good = uniform(3 * 6, 2);
    await expect(compiled.run(good.subarray(0, 17), 3)).rejects.toBeInstanceOf(InputShapeError);
    await expect(compiled.run(good.subarray(0, 17), 3)).rejects.toThrow(/input\.length: expected 18 values/);
    const bad = good.slice();
    bad[4] = Number.NaN;
    await expect(compiled.run(bad, 3)).rejects.toBeInstanceOf(NonFiniteInputError);
    await expect(compiled.run(bad, 3)).rejects.toThrow(/input\[4\]/);
    await expect(compiled.run(new Float32Array(0), 0)).rejects.toBeInstanceOf(EmptyBatchError);
    await expect(compiled.run(good, 1.5)).rejects.toThrow(/batch/);
    expect((await compiled.run(good, 3)).exit.length).toBe(3);
    await compiled.release();
    await expect(compiled.run(good, 3)).rejects.toThrow(/released/);
  });

  it('bytes that are not a compiled model: OnnxModelError', async () => {
    await expect(CompiledEarlyExit.create(await nodeRuntime(), net.bundle.files['full.onnx']!)).rejects.toBeInstanceOf(OnnxModelError);
  });
});

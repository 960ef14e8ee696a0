import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectTrace, computeExitCosts, defineGate, evaluateTrace, type ExitSignal, scoreTrace } from '@offramp/core';
import { marginGate, patienceGate } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  CompiledEarlyExit,
  compileEarlyExit,
  type ExitPoint,
  type HostLayer,
  importOnnxBackbone,
  OnnxEngine,
  readCompiledModel,
} from '../src/index.js';
import { float32AtLeast } from '../src/compile/exit-level.js';
import { decodeModel, type GraphProto, type NodeProto } from '../src/proto.js';
import { assemble, dense, part, tinyMlp } from './compile-nets.js';
import { maxAbsDiff, nodeRuntime, uniform } from './helpers.js';

function branch(node: NodeProto, name: 'then_branch' | 'else_branch'): GraphProto {
  return node.attribute!.find((a) => a.name === name)!.g!;
}

const ops = (graph: GraphProto) => new Set((graph.node ?? []).map((n) => n.opType));

/** The README's example gate: max-prob with its ONNX form. */
const myMaxProb = defineGate({
  name: 'my-max-prob',
  range: { min: 0, max: 1 },
  defaultThreshold: 0.9,
  score: (_options, { classes }) => (signal: ExitSignal) =>
    Float32Array.from({ length: signal.batch }, (_, i) => Math.max(...signal.probs.subarray(i * classes, (i + 1) * classes))),
  onnx: () => (graph, { probs }) => ({
    score: graph.node('ReduceMax', [probs], { axes: { ints: [1] }, keepdims: { int: 0 } }),
  }),
});

describe('the compiled graph', () => {
  const net = tinyMlp();

  it('nests one If per gated exit: survivors compacted and scattered back in the then branch, identities in the else branch', () => {
    const gate = patienceGate.create({ patience: 1 }, { exits: 3, classes: 4 });
    const compiled = compileEarlyExit(net.bundle, { gate, thresholds: [1, 1] });
    const model = decodeModel(compiled.model, 'compiled');
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport!.map((o) => [o.domain ?? '', Number(o.version)])).toEqual([['', 17]]);
    expect(compiled.opset).toBe(17);
    const meta = Object.fromEntries(model.metadataProps!.map((p) => [p.key, p.value]));
    expect(meta).toEqual({ 'offramp.gate': 'patience', 'offramp.exits': '3', 'offramp.thresholds': '[1,1]' });
    expect(model.graph!.input!.map((v) => v.name)).toEqual(['input']);
    expect(model.graph!.output!.map((v) => v.name)).toEqual(['logits', 'exit', 'score', 'prediction']);

    let graph = model.graph!;
    for (let level = 0; level < 2; level++) {
      // Each stage's weights live in the graph that runs it (outer-scope weights are not prepacked: slow).
      expect(graph.initializer!.some((t) => t.name?.startsWith(`stage${level}/`)), `stage ${level} weights`).toBe(true);
      const ifs = graph.node!.filter((n) => n.opType === 'If');
      expect(ifs.length, `level ${level}`).toBe(1);
      const rest = branch(ifs[0]!, 'then_branch');
      const keep = branch(ifs[0]!, 'else_branch');
      for (const op of ['NonZero', 'Compress', 'ScatterND']) expect(ops(rest).has(op), op).toBe(true);
      expect([...ops(keep)]).toEqual(['Identity']);
      graph = rest;
    }
    expect(graph.node!.some((n) => n.opType === 'If')).toBe(false);
    expect(graph.initializer!.some((t) => t.name?.startsWith('stage2/'))).toBe(true);
    expect(model.graph!.initializer!.some((t) => t.name?.startsWith('stage2/'))).toBe(false);
  });

  it('reads back from its bytes and runs the same', async () => {
    const gate = myMaxProb.create({}, { exits: 3, classes: 4 });
    const compiled = compileEarlyExit(net.bundle, { gate, thresholds: [0.8, 0.7] });
    const info = readCompiledModel(compiled.model);
    expect(info.inputShape).toEqual([6]);
    expect(info.classes).toBe(4);
    expect(info.exits).toBe(3);
    expect(info.gate).toBe('my-max-prob');
    expect(Array.from(info.thresholds)).toEqual([0.8, 0.7]);
    const runtime = await nodeRuntime();
    const a = await CompiledEarlyExit.create(runtime, compiled);
    const b = await CompiledEarlyExit.create(runtime, compiled.model);
    const input = uniform(9 * 6, 5);
    const ra = await a.run(input, 9);
    const rb = await b.run(input, 9);
    expect(Array.from(rb.exit)).toEqual(Array.from(ra.exit));
    expect(maxAbsDiff(rb.logits, ra.logits)).toBe(0);
    await a.release();
    await b.release();
  });

  it("compiles the README's custom gate and agrees with trace evaluation", async () => {
    const gate = myMaxProb.create({}, { exits: 3, classes: 4 });
    const engine = await OnnxEngine.create(await nodeRuntime(), net.bundle);
    const input = uniform(40 * 6, 8);
    const expected = evaluateTrace(await collectTrace(engine, input, 40), gate, [0.6, 0.6], net.costs);
    const compiled = await CompiledEarlyExit.create(await nodeRuntime(), compileEarlyExit(net.bundle, { gate, thresholds: [0.6, 0.6] }));
    const got = await compiled.run(input, 40);
    expect(Array.from(got.exit)).toEqual(Array.from(expected.exit));
    expect(new Set(got.exit).size).toBeGreaterThan(1);
    await compiled.release();
    await engine.release();
  });

  it('a single-exit network compiles to the plain model: exit 0 for every row, no If', async () => {
    const single = assemble([6], 4, [[dense(6, 5, 3), { op: 'relu' }]], [[dense(5, 4, 4)]]);
    const gate = myMaxProb.create({}, { exits: 1, classes: 4 });
    const compiled = compileEarlyExit(single.bundle, { gate, thresholds: [] });
    expect(decodeModel(compiled.model, 'compiled').graph!.node!.some((n) => n.opType === 'If')).toBe(false);
    const engine = await OnnxEngine.create(await nodeRuntime(), single.bundle);
    const input = uniform(5 * 6, 1);
    const runner = await CompiledEarlyExit.create(await nodeRuntime(), compiled);
    const got = await runner.run(input, 5);
    expect(Array.from(got.exit)).toEqual([0, 0, 0, 0, 0]);
    expect(maxAbsDiff(got.logits, await engine.runFull(input, 5))).toBeLessThan(1e-6);
    await runner.release();
    await engine.release();
  });
});

describe('a backbone exported by PyTorch (imported, cut at named tensors)', () => {
  it('compiles with heads of our own and agrees with trace evaluation sample for sample', async () => {
    const fixtures = join(import.meta.dirname, 'fixtures');
    const spec = JSON.parse(await readFile(join(fixtures, 'torch-cnn.json'), 'utf8')) as { exits: ExitPoint[] };
    const model = new Uint8Array(await readFile(join(fixtures, 'torch-cnn.onnx')));
    const backbone = await importOnnxBackbone({ model, exits: spec.exits, macs: [1, 1, 1] }, { runtime: await nodeRuntime() });
    const heads = backbone.stages.map((stage, l) => {
      const { shape, layout } = stage.feature;
      const width = layout === 'NHWC' ? shape[shape.length - 1]! : shape[0]!;
      const layers: HostLayer[] = layout === 'flat' ? [] : [{ op: 'globalPool', kind: 'avg' }];
      const p = part(stage.feature, [...layers, dense(width, 10, 60 + l, 4)], `h${l}`);
      return { model: p.model, input: 'x', output: 'y', macs: 1 };
    });
    const bundle = buildBundle({ inputShape: backbone.inputShape, classes: 10, stages: backbone.stages, heads });
    const costs = computeExitCosts({ stageMacs: [1, 1, 1], headMacs: [1, 1, 1] });
    const gate = marginGate.create({}, { exits: 3, classes: 10 });
    const n = 24;
    const input = uniform(n * 784, 13);
    const engine = await OnnxEngine.create(await nodeRuntime(), bundle);
    const trace = await collectTrace(engine, input, n);
    // Each exit's median margin (moved off any near tie), so some rows leave early and some do not.
    const thresholds = scoreTrace(trace, gate, costs).map((s) => {
      const sorted = Float64Array.from(s).sort();
      let i = Math.floor(n / 2);
      while (sorted[i + 1]! - sorted[i]! < 1e-5) i += 1;
      return (sorted[i]! + sorted[i + 1]!) / 2;
    });
    const expected = evaluateTrace(trace, gate, thresholds, costs);
    const runner = await CompiledEarlyExit.create(await nodeRuntime(), compileEarlyExit(bundle, { gate, thresholds }));
    const got = await runner.run(input, n);
    expect(Array.from(got.exit)).toEqual(Array.from(expected.exit));
    expect(new Set(got.exit).size).toBeGreaterThan(1);
    expect(Array.from(got.prediction)).toEqual(Array.from(expected.prediction));
    expect(maxAbsDiff(got.logits, expected.logits)).toBeLessThan(1e-5);
    await runner.release();
    await engine.release();
  });
});

describe('float32AtLeast', () => {
  it('is the least float32 not below t, so a float32 score passes it exactly when it passes t', () => {
    for (const t of [0.5, 0.1, 1 / 3, -0.1, -1 / 3, 0, 1e-40, -1e-40, 2, Number.POSITIVE_INFINITY]) {
      const f = float32AtLeast(t);
      expect(Math.fround(f)).toBe(f);
      expect(f).toBeGreaterThanOrEqual(t);
      // the float32 just below f is below t
      const below = new Float32Array([f]);
      const bits = new Int32Array(below.buffer);
      if (f > 0) bits[0]! -= 1;
      else if (f < 0) bits[0]! += 1;
      else bits[0] = -2147483647; // -(smallest subnormal)
      if (Number.isFinite(f)) expect(below[0]!).toBeLessThan(t);
    }
  });
});

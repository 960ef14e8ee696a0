import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadNodeRuntime } from '@offramp/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeModel, exitCandidates, inspectModel, type ModelAnalysis, parseExitsOption, selectExits } from '../src/index.js';
import { tinyResidualModel } from './tiny-models.js';

const FIXTURES = join(import.meta.dirname, '../../onnx/test/fixtures');
const TORCH_CNN = join(FIXTURES, 'torch-cnn.onnx');
const RESNET = join(import.meta.dirname, '../../../models/fashion-resnet/model.onnx');

describe('MACs per operator on a hand-counted model', () => {
  const tiny = tinyResidualModel();
  let analysis: ModelAnalysis;
  beforeAll(async () => {
    analysis = await analyzeModel(await loadNodeRuntime(), tiny.model);
  });

  it('counts Conv, grouped Conv, ConvTranspose, BatchNormalization, MatMul and Gemm by their formulas', () => {
    const byName = new Map(analysis.tensors.map((t) => [t.name, t]));
    for (const [name, macs] of Object.entries(tiny.expectedMacs)) expect([name, byName.get(name)?.macs]).toEqual([name, macs]);
    expect(byName.get('r1')!.macs).toBe(0);
    const total = Object.values(tiny.expectedMacs).reduce((a, b) => a + b, 0);
    expect(analysis.totalMacs).toBe(total);
    expect(byName.get('y')!.cumulativeMacs).toBe(total);
    expect(byName.get('up')!.shape).toEqual([2, 12, 12]);
  });

  it('cuts after a residual block but never inside it', () => {
    const legal = new Set(analysis.tensors.filter((t) => t.legalCut).map((t) => t.name));
    for (const inside of tiny.blockInside) expect(legal.has(inside)).toBe(false);
    expect(legal.has(tiny.blockOutput)).toBe(true);
    expect(legal.has('sum')).toBe(true);
    expect(legal.has('r1')).toBe(true);
    expect(exitCandidates(analysis.tensors).map((t) => t.name)).not.toContain('y');
  });

  it('guesses layouts: NCHW after a convolution, flat for vectors', () => {
    const byName = new Map(analysis.tensors.map((t) => [t.name, t.layout]));
    expect(byName.get('c1')).toBe('NCHW');
    expect(byName.get('flat')).toBe('flat');
  });
});

describe('inspect on the PyTorch fixture', () => {
  it('finds the fixture stage tensors among the legal cuts, with their shapes, layouts and MACs', async () => {
    const fixture = JSON.parse(await readFile(join(FIXTURES, 'torch-cnn.json'), 'utf8')) as {
      exits: { tensor: string; shape: number[]; layout: string }[];
    };
    const report = await inspectModel(TORCH_CNN);
    expect(report.input).toEqual({ name: 'x', shape: [1, 28, 28] });
    expect(report.outputs).toEqual([{ name: 'y', shape: [10] }]);
    const byName = new Map(report.tensors.map((t) => [t.name, t]));
    for (const exit of fixture.exits) {
      const t = byName.get(exit.tensor)!;
      expect(t.legalCut).toBe(true);
      expect([t.shape, t.layout]).toEqual([exit.shape, exit.layout]);
    }
    // The MACs the onnx package's import test uses for these stages.
    expect(fixture.exits.map((e) => byName.get(e.tensor)!.cumulativeMacs)).toEqual([56448, 282240, 332416]);
    expect(report.totalMacs).toBe(332416 + 640);
    expect(report.suggested.map((t) => t.name)).toEqual([
      '/stages.0/MaxPool_output_0',
      '/stages.2/Flatten_output_0',
      '/stages.2/Relu_output_0',
    ]);
  });

  it('suggests N exits in order and checks named ones', async () => {
    const analysis = await analyzeModel(await loadNodeRuntime(), new Uint8Array(await readFile(TORCH_CNN)));
    expect(selectExits(analysis, parseExitsOption('auto:2')).map((t) => t.name)).toEqual([
      '/stages.0/MaxPool_output_0',
      '/stages.2/Relu_output_0',
    ]);
    expect(() => selectExits(analysis, parseExitsOption('nope'))).toThrow(/--exits\[0\].*MaxPool/);
    expect(() => selectExits(analysis, parseExitsOption('/stages.2/Relu_output_0,/stages.0/MaxPool_output_0'))).toThrow(
      /--exits\[1\].*graph order/,
    );
    // The model's output may only be the last exit.
    expect(() => selectExits(analysis, parseExitsOption('y,/stages.2/Relu_output_0'))).toThrow(/--exits\[0\].*a model output before the last exit/);
    expect(selectExits(analysis, parseExitsOption('/stages.0/MaxPool_output_0,y')).map((t) => t.name)).toEqual(['/stages.0/MaxPool_output_0', 'y']);
  });
});

describe.runIf(existsSync(RESNET))('inspect on the Fashion-MNIST ResNet', () => {
  it('cuts after each residual add + relu and never inside a block', async () => {
    const report = await inspectModel(RESNET);
    const blockEnds = report.tensors
      .map((t, i) => (t.op === 'Relu' && report.tensors[i - 1]?.op === 'Add' ? i : -1))
      .filter((i) => i >= 0);
    expect(blockEnds.length).toBeGreaterThan(1);
    for (const end of blockEnds) expect(report.tensors[end]!.legalCut).toBe(true);
    // Between two block ends every convolution lies inside a block (the skip crosses it).
    for (let b = 1; b < blockEnds.length; b++) {
      const inside = report.tensors.slice(blockEnds[b - 1]! + 1, blockEnds[b]! - 1).filter((t) => t.op === 'Conv');
      for (const t of inside) expect([t.name, t.legalCut]).toEqual([t.name, false]);
    }
  });
});

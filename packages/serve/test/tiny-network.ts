import { createRng, type PolicySpec, shapeSize } from '@offramp/core';
import {
  appendLayers,
  buildBundle,
  GraphBuilder,
  type HeadPart,
  type HostLayer,
  type OnnxBundle,
  type OnnxValue,
  type StagePart,
} from '@offramp/onnx';
import { type ServedModel, type ServingEngine, servedModelFromBundle } from '../src/served-model.js';

export const INPUT_SHAPE = [4] as const;
export const CLASSES = 3;
const WIDTH = 6;

function dense(inputs: number, outputs: number, rng: ReturnType<typeof createRng>, scale: number): HostLayer {
  return {
    op: 'dense',
    kernel: { shape: [inputs, outputs], values: Float32Array.from({ length: inputs * outputs }, () => (rng.next() * 2 - 1) * scale) },
    bias: { shape: [outputs], values: Float32Array.from({ length: outputs }, () => (rng.next() * 2 - 1) * 0.1) },
  };
}

function graph(name: string, inputs: number, outputs: number, layers: HostLayer[]): Uint8Array {
  const b = new GraphBuilder(name);
  appendLayers(b, { name: 'x', feature: { shape: [inputs], layout: 'flat' } }, layers, name);
  b.renameLast('y');
  return b.toModel([{ name: 'x', shape: [inputs] }], [{ name: 'y', shape: [outputs] }]);
}

/** A 3-stage MLP (4 -> 6 -> 6 -> 6) with a linear 3-class head per stage, seeded random weights, max-prob gate. */
export function tinyBundle(seed = 3, threshold = 0.55, policy: PolicySpec = { gate: 'max-prob', thresholds: [threshold, threshold] }): OnnxBundle {
  const rng = createRng(seed);
  const stages: StagePart[] = [0, 1, 2].map((l) => ({
    model: graph(`stage${l}`, l === 0 ? INPUT_SHAPE[0] : WIDTH, WIDTH, [dense(l === 0 ? INPUT_SHAPE[0] : WIDTH, WIDTH, rng, 1.2), { op: 'relu' }]),
    input: 'x',
    output: 'y',
    feature: { shape: [WIDTH], layout: 'flat' },
    macs: (l === 0 ? INPUT_SHAPE[0] : WIDTH) * WIDTH,
  }));
  const heads: HeadPart[] = [0, 1, 2].map((l) => ({
    model: graph(`head${l}`, WIDTH, CLASSES, [dense(WIDTH, CLASSES, rng, 2.5)]),
    input: 'x',
    output: 'y',
    macs: WIDTH * CLASSES,
  }));
  return buildBundle({
    name: 'tiny',
    inputShape: [...INPUT_SHAPE],
    classes: CLASSES,
    stages,
    heads,
    policy,
  });
}

/** Seeded inputs in [-1, 1). */
export function tinyInputs(n: number, seed = 11): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * INPUT_SHAPE[0] }, () => rng.next() * 2 - 1);
}

export function sample(inputs: Float32Array, i: number): Float32Array {
  const size = shapeSize(INPUT_SHAPE);
  return inputs.slice(i * size, (i + 1) * size);
}

/** An engine whose every stage call (and full-model call) first waits `ms` milliseconds. */
export function slowEngine<T>(engine: ServingEngine<T>, ms: number): ServingEngine<T> {
  const wait = () => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    exits: engine.exits,
    classes: engine.classes,
    inputShape: engine.inputShape,
    fromHost: (data, batch) => engine.fromHost(data, batch),
    runStage: async (stage, input) => {
      await wait();
      return engine.runStage(stage, input);
    },
    runHead: (exit, hidden) => engine.runHead(exit, hidden),
    take: (x, rows) => engine.take(x, rows),
    toHost: (x) => engine.toHost(x),
    concat: (parts) => engine.concat!(parts),
    dispose: (x) => engine.dispose(x),
    runFull: async (input, batch) => {
      await wait();
      return engine.runFull(input, batch);
    },
  };
}

/** The tiny network served from onnxruntime-node (through its manifest); `delayMs` > 0 slows every stage call. */
export async function tinyModel(
  options: { threshold?: number; delayMs?: number; seed?: number; policy?: PolicySpec } = {},
): Promise<ServedModel<OnnxValue>> {
  const model = await servedModelFromBundle(tinyBundle(options.seed ?? 3, options.threshold ?? 0.55, options.policy));
  return options.delayMs ? { ...model, engine: slowEngine(model.engine, options.delayMs) } : model;
}

import { GraphBuilder } from '@offramp/onnx';

const weight = (g: GraphBuilder, name: string, shape: number[]): string =>
  g.weight(name, { shape, values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i % 7) - 3) / 10) });

/**
 * A small network with every counted operator and one residual block, input [2, 6, 6]. The MACs of
 * each weighted node, counted by hand, are in `expectedMacs` (by the name of the node's output).
 */
export function tinyResidualModel(): { model: Uint8Array; expectedMacs: Record<string, number>; blockInside: string[]; blockOutput: string } {
  const g = new GraphBuilder('tiny');
  const pad1 = { pads: { ints: [1, 1, 1, 1] } };
  const c1 = g.node('Conv', ['x', weight(g, 'w1', [4, 2, 3, 3])], pad1, 'c1'); // 4*6*6 outputs x 2 x 3 x 3
  const bn = g.node('BatchNormalization', [c1, weight(g, 's', [4]), weight(g, 'b', [4]), weight(g, 'm', [4]), g.weight('v', { shape: [4], values: Float32Array.of(1, 1, 1, 1) })], {}, 'bn');
  const r1 = g.node('Relu', [bn], {}, 'r1');
  const c2 = g.node('Conv', [r1, weight(g, 'w2', [4, 4, 3, 3])], pad1, 'c2');
  const r2 = g.node('Relu', [c2], {}, 'r2');
  const c3 = g.node('Conv', [r2, weight(g, 'w3', [4, 4, 1, 1])], {}, 'c3');
  const sum = g.node('Add', [c3, r1], {}, 'sum');
  const r3 = g.node('Relu', [sum], {}, 'r3');
  const gc = g.node('Conv', [r3, weight(g, 'wg', [4, 2, 3, 3])], { ...pad1, group: { int: 2 } }, 'gc');
  const up = g.node('ConvTranspose', [gc, weight(g, 'wt', [4, 2, 2, 2])], { strides: { ints: [2, 2] } }, 'up');
  const flat = g.node('Flatten', [up], {}, 'flat');
  const mm = g.node('MatMul', [flat, weight(g, 'wm', [288, 16])], {}, 'mm');
  g.node('Gemm', [mm, weight(g, 'wf', [10, 16]), weight(g, 'bf', [10])], { transB: { int: 1 } }, 'y');
  const model = g.toModel([{ name: 'x', shape: [2, 6, 6] }], [{ name: 'y', shape: [10] }]);
  return {
    model,
    expectedMacs: {
      c1: 144 * 2 * 9,
      bn: 144,
      c2: 144 * 4 * 9,
      c3: 144 * 4,
      gc: 144 * 2 * 9, // group 2: Cin / group = 2
      up: 144 * 2 * 2 * 2, // input elements x Cout / group x kH x kW
      mm: 16 * 288,
      y: 10 * 16,
    },
    blockInside: [c2, r2, c3],
    blockOutput: r3,
  };
}

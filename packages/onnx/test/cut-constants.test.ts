import { describe, expect, it } from 'vitest';
import { cutModel, GraphBuilder, OnnxModelError } from '../src/index.js';
import { decodeModel } from '../src/proto.js';
import { nodeRuntime } from './helpers.js';

/** x -> x + c -> (+ c) -> (* 2): one Constant node c read by the first two stages, as PyTorch exports shared indices. */
function sharedConstantModel(): Uint8Array {
  const b = new GraphBuilder('m');
  const c = b.node('Constant', [], { value_float: { float: 1.5 } }, 'c');
  const t1 = b.node('Add', ['x', c], {}, 't1');
  const t2 = b.node('Add', [t1, c], {}, 't2');
  b.node('Mul', [t2, b.constant(2, 'float32')], {}, 'y');
  return b.toModel([{ name: 'x', shape: [3] }], [{ name: 'y', shape: [3] }]);
}

describe('cutModel and constants', () => {
  it('copies a Constant node into every stage that reads it, and the stages compute what the model does', async () => {
    const cut = cutModel(sharedConstantModel(), [
      { tensor: 't1', shape: [3], layout: 'flat' },
      { tensor: 't2', shape: [3], layout: 'flat' },
      { tensor: 'y', shape: [3], layout: 'flat' },
    ]);
    const ops = cut.stages.map((s) => decodeModel(s.model, 'stage').graph!.node!.map((n) => n.opType));
    expect(ops).toEqual([['Constant', 'Add'], ['Constant', 'Add'], ['Mul']]);
    const ort = await nodeRuntime();
    let x = new ort.Tensor('float32', Float32Array.of(0, 1, -2), [1, 3]);
    for (const stage of cut.stages) {
      const session = await ort.InferenceSession.create(stage.model);
      x = (await session.run({ [stage.input]: x }, [stage.output]))[stage.output]!;
    }
    expect(Array.from(x.data as Float32Array)).toEqual([6, 8, 2]);
  });

  it('still refuses a computed tensor read across a cut', () => {
    const b = new GraphBuilder('m');
    const a = b.node('Relu', ['x'], {}, 'a');
    const t1 = b.node('Neg', [a], {}, 't1');
    b.node('Add', [t1, a], {}, 'y'); // a skip connection from before the cut at t1
    const model = b.toModel([{ name: 'x', shape: [3] }], [{ name: 'y', shape: [3] }]);
    expect(() =>
      cutModel(model, [
        { tensor: 't1', shape: [3], layout: 'flat' },
        { tensor: 'y', shape: [3], layout: 'flat' },
      ]),
    ).toThrow(OnnxModelError);
  });
});

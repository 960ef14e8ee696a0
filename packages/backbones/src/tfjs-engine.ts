import { ArgumentError, checkSampleShape, checkWholeNumber, CountMismatchError, type Engine, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import type { TfModule } from '@offramp/heads';

export interface TfjsEngineSpec {
  /** Stage l feeds stage l + 1 and head l. */
  readonly stages: readonly TfModule[];
  /** One head per stage, each giving logits [batch, classes]. */
  readonly heads: readonly TfModule[];
  /** Shape of one input sample. */
  readonly inputShape: readonly number[];
  readonly classes: number;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkChain(spec: TfjsEngineSpec): void {
  let expected = spec.inputShape;
  spec.stages.forEach((stage, l) => {
    if (!sameShape(stage.inputShape, expected)) {
      throw new InputShapeError({
        field: `stages[${l}].inputShape`,
        expected: `${shapeText(expected)} (${l === 0 ? 'the engine input' : `the output of stages[${l - 1}]`})`,
        received: shapeText(stage.inputShape),
      });
    }
    const head = spec.heads[l]!;
    if (!sameShape(head.inputShape, stage.outputShape)) {
      throw new InputShapeError({
        field: `heads[${l}].inputShape`,
        expected: `${shapeText(stage.outputShape)} (the output of stages[${l}])`,
        received: shapeText(head.inputShape),
      });
    }
    if (!sameShape(head.outputShape, [spec.classes])) {
      throw new InputShapeError({
        field: `heads[${l}].outputShape`,
        expected: `[${spec.classes}] (the classes)`,
        received: shapeText(head.outputShape),
      });
    }
    expected = stage.outputShape;
  });
}

/**
 * Runs tfjs stages and heads for the early-exit runner and trace collection (inference only).
 * The engine does not own the modules: dispose them yourself. Tensors it returns belong to the
 * caller; tensors passed in are never disposed except by `dispose`.
 */
export class TfjsEngine implements Engine<tf.Tensor> {
  readonly exits: number;
  readonly classes: number;
  readonly inputShape: readonly number[];
  readonly #stages: readonly TfModule[];
  readonly #heads: readonly TfModule[];

  constructor(spec: TfjsEngineSpec) {
    if (!Array.isArray(spec.stages) || spec.stages.length === 0) {
      throw new ArgumentError({ field: 'stages', expected: 'at least one stage', received: '0 stages' });
    }
    if (!Array.isArray(spec.heads) || spec.heads.length !== spec.stages.length) {
      throw new CountMismatchError({
        field: 'heads',
        expected: `${spec.stages.length} heads (one per stage)`,
        received: `${Array.isArray(spec.heads) ? spec.heads.length : 0} heads`,
      });
    }
    checkSampleShape(spec.inputShape, 'inputShape');
    checkWholeNumber(spec.classes, 2, 'classes');
    checkChain(spec);
    this.#stages = Object.freeze([...spec.stages]);
    this.#heads = Object.freeze([...spec.heads]);
    this.exits = spec.stages.length;
    this.classes = spec.classes;
    this.inputShape = Object.freeze([...spec.inputShape]);
  }

  #checkIndex(index: number, field: string): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.exits) {
      throw new ArgumentError({ field, expected: `a whole number in [0, ${this.exits - 1}]`, received: String(index) });
    }
  }

  fromHost(data: Float32Array, batch: number): tf.Tensor {
    const perSample = this.inputShape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(batch) || batch < 1 || data.length !== batch * perSample) {
      throw new InputShapeError({
        field: 'data.length',
        expected: `batch x ${perSample} values with a batch >= 1`,
        received: `${data.length} values for a batch of ${batch}`,
      });
    }
    // A copy: the cpu backend would otherwise keep the caller's array as the tensor's storage.
    return tf.tensor(data.slice(), [batch, ...this.inputShape], 'float32');
  }

  runStage(stage: number, input: tf.Tensor): tf.Tensor {
    this.#checkIndex(stage, 'stage');
    return this.#stages[stage]!.apply(input, false);
  }

  async runHead(exit: number, hidden: tf.Tensor): Promise<Float32Array> {
    this.#checkIndex(exit, 'exit');
    const logits = tf.tidy(() => tf.cast(this.#heads[exit]!.apply(hidden, false), 'float32'));
    try {
      return (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
  }

  take(x: tf.Tensor, rows: Int32Array): tf.Tensor {
    const batch = x.shape[0]!;
    rows.forEach((row, i) => {
      if (row < 0 || row >= batch) {
        throw new ArgumentError({ field: `rows[${i}]`, expected: `a row in [0, ${batch - 1}]`, received: String(row) });
      }
    });
    return tf.tidy(() => tf.gather(x, tf.tensor1d(rows, 'int32')));
  }

  /** Rows of several batches stacked in order (survivors pooled across batches); the parts stay owned by the caller. */
  concat(parts: readonly tf.Tensor[]): tf.Tensor {
    if (parts.length === 0) {
      throw new ArgumentError({ field: 'parts', expected: 'at least one batch to join', received: 'none' });
    }
    return parts.length === 1 ? parts[0]!.clone() : tf.concat([...parts], 0);
  }

  async toHost(x: tf.Tensor): Promise<Float32Array> {
    const values = await x.data();
    // A copy: the cpu backend hands out the tensor's own storage.
    return values instanceof Float32Array ? values.slice() : Float32Array.from(values as ArrayLike<number>);
  }

  dispose(x: tf.Tensor): void {
    x.dispose();
  }
}

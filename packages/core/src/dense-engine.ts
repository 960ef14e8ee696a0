import type { Engine } from './engine.js';
import { ArgumentError, CountMismatchError } from './errors.js';
import { takeRows } from './math.js';

/** A dense layer on the host: y = x W + b (W is in x out, row-major), with an optional ReLU. */
export interface DenseLayer {
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly relu?: boolean;
}

/** A batch on the host: batch x size values, row-major. */
export interface HostBatch {
  readonly data: Float32Array;
  readonly batch: number;
}

export interface DenseEngineSpec {
  readonly inputSize: number;
  readonly classes: number;
  /** Layers of each stage, applied in order. */
  readonly stages: readonly (readonly DenseLayer[])[];
  /** One dense layer per exit, giving the logits. */
  readonly heads: readonly DenseLayer[];
}

function applyDense(x: HostBatch, layer: DenseLayer, field: string): HostBatch {
  const inSize = x.data.length / x.batch;
  const outSize = layer.bias.length;
  if (layer.weights.length !== inSize * outSize) {
    throw new ArgumentError({
      field: `${field}.weights.length`,
      expected: `${inSize * outSize} (${inSize} x ${outSize})`,
      received: String(layer.weights.length),
    });
  }
  const out = new Float32Array(x.batch * outSize);
  for (let r = 0; r < x.batch; r++) {
    for (let o = 0; o < outSize; o++) {
      let sum = layer.bias[o]!;
      for (let i = 0; i < inSize; i++) sum += x.data[r * inSize + i]! * layer.weights[i * outSize + o]!;
      out[r * outSize + o] = layer.relu && sum < 0 ? 0 : sum;
    }
  }
  return { data: out, batch: x.batch };
}

/**
 * An engine for small dense networks computed in plain JavaScript: no runtime to load, exact
 * row-by-row arithmetic (a row's result never depends on the batch it is in).
 */
export class DenseEngine implements Engine<HostBatch> {
  readonly exits: number;
  readonly classes: number;
  readonly inputShape: readonly number[];
  readonly #spec: DenseEngineSpec;

  constructor(spec: DenseEngineSpec) {
    if (spec.heads.length !== spec.stages.length) {
      throw new CountMismatchError({
        field: 'heads',
        expected: `${spec.stages.length} heads (one per stage)`,
        received: `${spec.heads.length} heads`,
      });
    }
    this.#spec = spec;
    this.exits = spec.stages.length;
    this.classes = spec.classes;
    this.inputShape = [spec.inputSize];
  }

  /** MACs per sample of each stage and head (one per weight). */
  macs(): { stageMacs: number[]; headMacs: number[] } {
    const count = (layers: readonly DenseLayer[]) => layers.reduce((a, l) => a + l.weights.length, 0);
    return { stageMacs: this.#spec.stages.map(count), headMacs: this.#spec.heads.map((h) => count([h])) };
  }

  fromHost(data: Float32Array, batch: number): HostBatch {
    return { data: data.slice(), batch };
  }

  runStage(stage: number, input: HostBatch): HostBatch {
    return this.#spec.stages[stage]!.reduce(
      (x, layer, i) => applyDense(x, layer, `stages[${stage}][${i}]`),
      input,
    );
  }

  runHead(exit: number, hidden: HostBatch): Float32Array {
    return applyDense(hidden, this.#spec.heads[exit]!, `heads[${exit}]`).data;
  }

  take(x: HostBatch, rows: Int32Array): HostBatch {
    return { data: takeRows(x.data, x.data.length / x.batch, rows), batch: rows.length };
  }

  concat(parts: readonly HostBatch[]): HostBatch {
    const size = parts[0] ? parts[0].data.length / parts[0].batch : 0;
    const data = new Float32Array(parts.reduce((a, p) => a + p.data.length, 0));
    let offset = 0;
    parts.forEach((p, i) => {
      if (p.data.length !== p.batch * size) {
        throw new CountMismatchError({
          field: `parts[${i}]`,
          expected: `rows of ${size} values (as parts[0])`,
          received: `${p.data.length} values for ${p.batch} rows`,
        });
      }
      data.set(p.data, offset);
      offset += p.data.length;
    });
    return { data, batch: parts.reduce((a, p) => a + p.batch, 0) };
  }

  toHost(x: HostBatch): Float32Array {
    return x.data;
  }

  dispose(): void {}
}

import { ArgumentError, checkBatchShape } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import type { DenseLayer } from './dense-layer.js';
import { attachLayers, type LayerDescription } from './layer-description.js';
import type { Pooling } from './pooling.js';
import type { TfModule } from './tf-module.js';

export interface HeadParts {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly pooling: Pooling;
  /** Dense layers in order, with a ReLU between consecutive ones. */
  readonly layers: readonly DenseLayer[];
}

/** A head as a TfModule: pooling, then the dense layers; `apply` returns logits [batch, classes]. */
export function assembleHead(parts: HeadParts): TfModule {
  const { name, inputShape, classes, pooling, layers } = parts;
  const variables = Object.freeze(layers.flatMap((layer) => [layer.kernel, layer.bias]));
  let disposed = false;
  const module: TfModule = {
    name,
    inputShape,
    outputShape: Object.freeze([classes]),
    macs: pooling.macs + layers.reduce((sum, layer) => sum + layer.macs, 0),
    variables,
    apply(x: tf.Tensor): tf.Tensor {
      if (disposed) {
        throw new ArgumentError({ field: name, expected: 'a live head', received: 'a disposed head' });
      }
      checkBatchShape(x.shape, inputShape, 'x');
      return tf.tidy(() => {
        let h = pooling.apply(x);
        layers.forEach((layer, i) => {
          h = layer.apply(h);
          if (i < layers.length - 1) h = tf.relu(h);
        });
        return h;
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.dispose();
    },
  };
  return attachLayers(module, describeHead(pooling, layers));
}

function describeHead(pooling: Pooling, layers: readonly DenseLayer[]): LayerDescription[] {
  const pool: LayerDescription[] =
    pooling.kind === 'avg' || pooling.kind === 'max'
      ? [{ op: 'globalPool', kind: pooling.kind }]
      : pooling.kind === 'flatten'
        ? [{ op: 'flatten' }]
        : pooling.kind === 'grid'
          ? [...(pooling.window && pooling.window > 1 ? [{ op: 'avgPool', size: pooling.window, strides: pooling.window } as const] : []), { op: 'flatten' } as const]
          : [];
  return [
    ...pool,
    ...layers.flatMap((layer, i): LayerDescription[] => [
      { op: 'dense', kernel: layer.kernel, bias: layer.bias },
      ...(i < layers.length - 1 ? [{ op: 'relu' } as const] : []),
    ]),
  ];
}

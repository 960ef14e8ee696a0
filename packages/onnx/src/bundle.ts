import { ArgumentError, checkSampleShape, checkWholeNumber, CountMismatchError, type NetworkConfig, type PolicySpec } from '@offramp/core';
import { composeChain } from './compose.js';
import { checkFeatureSpec, type FeatureSpec } from './feature.js';
import { checkManifest, type OnnxManifest } from './manifest.js';

/** A stage graph: one input, one output of features. */
export interface StagePart {
  readonly model: Uint8Array;
  readonly input: string;
  readonly output: string;
  readonly feature: FeatureSpec;
  /** MACs per sample. */
  readonly macs: number;
}

/** A head graph: features in, logits [batch, classes] out. */
export interface HeadPart {
  readonly model: Uint8Array;
  readonly input: string;
  readonly output: string;
  readonly macs: number;
}

/** A manifest and the bytes of every file it names. */
export interface OnnxBundle {
  readonly manifest: OnnxManifest;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

export interface BundleParts {
  readonly name?: string;
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly stages: readonly StagePart[];
  readonly heads: readonly HeadPart[];
  /** The exit policy to serve with (gate, options, thresholds). */
  readonly policy?: PolicySpec;
  readonly calibration?: OnnxManifest['calibration'];
  readonly config?: NetworkConfig;
}

const INPUT = 'input';

/**
 * Builds the bundle of an early-exit network from its stage and head graphs: keeps them as they
 * are, and adds one fused stage+head graph per exit and the single full-model graph.
 */
export function buildBundle(parts: BundleParts): OnnxBundle {
  checkSampleShape(parts.inputShape, 'inputShape');
  checkWholeNumber(parts.classes, 2, 'classes');
  const exits = parts.stages.length;
  if (exits === 0) throw new ArgumentError({ field: 'stages', expected: 'at least one stage', received: '0 stages' });
  if (parts.heads.length !== exits) {
    throw new CountMismatchError({
      field: 'heads',
      expected: `${exits} heads (one per stage)`,
      received: `${parts.heads.length} heads`,
    });
  }
  const files: Record<string, Uint8Array> = {};
  const stages = parts.stages.map((stage, l) => {
    const feature = checkFeatureSpec(stage.feature, `stages[${l}].feature`);
    const file = `stage${l}.onnx`;
    files[file] = stage.model;
    return { file, input: stage.input, outputs: [stage.output], feature, macs: stage.macs };
  });
  const heads = parts.heads.map((head, l) => {
    const file = `head${l}.onnx`;
    files[file] = head.model;
    return { file, input: head.input, outputs: [head.output], macs: head.macs };
  });
  const inputShapeOf = (l: number): readonly number[] => (l === 0 ? parts.inputShape : parts.stages[l - 1]!.feature.shape);
  const fused = parts.stages.map((stage, l) => {
    const file = `fused${l}.onnx`;
    files[file] = composeChain([stage, parts.heads[l]!], {
      input: { name: INPUT, shape: inputShapeOf(l) },
      outputs: [
        { part: 0, name: 'features', shape: stage.feature.shape },
        { part: 1, name: 'logits', shape: [parts.classes] },
      ],
    });
    return { file, input: INPUT, outputs: ['features', 'logits'] };
  });
  files['full.onnx'] = composeChain([...parts.stages, parts.heads[exits - 1]!], {
    input: { name: INPUT, shape: parts.inputShape },
    outputs: [{ part: exits, name: 'logits', shape: [parts.classes] }],
  });
  const manifest: OnnxManifest = {
    format: 'offramp-onnx',
    version: 2,
    ...(parts.name ? { name: parts.name } : {}),
    inputShape: [...parts.inputShape],
    classes: parts.classes,
    exits,
    stages,
    heads,
    fused,
    full: { file: 'full.onnx', input: INPUT, outputs: ['logits'] },
    macs: { stages: parts.stages.map((s) => s.macs), heads: parts.heads.map((h) => h.macs) },
    ...(parts.policy ? { policy: parts.policy } : {}),
    ...(parts.calibration ? { calibration: parts.calibration } : {}),
    ...(parts.config ? { config: parts.config } : {}),
  };
  checkManifest(manifest);
  return { manifest, files };
}

import { ArgumentError, checkSampleShape, checkWholeNumber, CountMismatchError, InputShapeError, type NetworkConfig } from '@offramp/core';
import { composeChain } from './compose.js';
import { checkFeatureSpec, type FeatureSpec } from './feature.js';
import { checkJsonData, checkManifestGate, type ManifestGate } from './manifest-gate.js';

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

export interface GraphEntry {
  readonly file: string;
  readonly input: string;
  readonly outputs: readonly string[];
}

/** What an exported network holds, written next to the .onnx files as manifest.json. */
export interface OnnxManifest {
  readonly format: 'offramp-onnx';
  readonly version: 1;
  readonly name?: string;
  /** Per-sample input shape, as the first stage reads it (row-major host data). */
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly exits: number;
  readonly stages: readonly (GraphEntry & { readonly feature: FeatureSpec; readonly macs: number })[];
  readonly heads: readonly (GraphEntry & { readonly macs: number })[];
  /** Stage l and head l in one graph: outputs [features, logits]. */
  readonly fused: readonly GraphEntry[];
  /** Every stage and the last head in one graph: outputs [logits]. */
  readonly full: GraphEntry;
  readonly macs: { readonly stages: readonly number[]; readonly heads: readonly number[] };
  /** The gate the network is served with (plugin name and options, e.g. a learned gate's weights). */
  readonly gate?: ManifestGate;
  /** The chosen operating point, if any: gate name and thresholds (one per exit before the last). */
  readonly thresholds?: { readonly gate: string; readonly values: readonly number[] };
  /** Calibration results to keep with the network, e.g. temperatures per exit. */
  readonly calibration?: Readonly<Record<string, unknown>>;
  /** The network's JSON config, if it has one. */
  readonly config?: NetworkConfig;
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
  readonly gate?: ManifestGate;
  readonly thresholds?: OnnxManifest['thresholds'];
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
  if (parts.thresholds && parts.thresholds.values.length !== exits - 1) {
    throw new CountMismatchError({
      field: 'thresholds.values',
      expected: `${exits - 1} thresholds (one per exit before the last)`,
      received: String(parts.thresholds.values.length),
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
    version: 1,
    ...(parts.name ? { name: parts.name } : {}),
    inputShape: [...parts.inputShape],
    classes: parts.classes,
    exits,
    stages,
    heads,
    fused,
    full: { file: 'full.onnx', input: INPUT, outputs: ['logits'] },
    macs: { stages: parts.stages.map((s) => s.macs), heads: parts.heads.map((h) => h.macs) },
    ...(parts.gate ? { gate: parts.gate } : {}),
    ...(parts.thresholds ? { thresholds: parts.thresholds } : {}),
    ...(parts.calibration ? { calibration: parts.calibration } : {}),
    ...(parts.config ? { config: parts.config } : {}),
  };
  checkManifest(manifest);
  return { manifest, files };
}

function checkEntry(entry: unknown, field: string, outputs: number): void {
  const e = entry as Partial<GraphEntry> | null;
  if (
    !e ||
    typeof e.file !== 'string' ||
    typeof e.input !== 'string' ||
    !Array.isArray(e.outputs) ||
    e.outputs.length !== outputs ||
    !e.outputs.every((o) => typeof o === 'string')
  ) {
    throw new ArgumentError({
      field,
      expected: `{ file, input, outputs } with ${outputs} output name(s)`,
      received: JSON.stringify(entry),
    });
  }
}

function checkMacsList(values: unknown, field: string, count: number): void {
  if (!Array.isArray(values) || values.length !== count || !values.every((v) => Number.isFinite(v) && v >= 0)) {
    throw new ArgumentError({ field, expected: `${count} MAC counts >= 0`, received: JSON.stringify(values) });
  }
}

/** Validates a manifest read from JSON; errors name the field. */
export function checkManifest(raw: unknown): OnnxManifest {
  const m = raw as Partial<OnnxManifest> | null;
  if (!m || typeof m !== 'object' || m.format !== 'offramp-onnx' || m.version !== 1) {
    throw new ArgumentError({
      field: 'manifest.format',
      expected: "an offramp-onnx manifest of version 1",
      received: JSON.stringify(m && typeof m === 'object' ? { format: m.format, version: m.version } : m),
    });
  }
  checkSampleShape(m.inputShape as readonly number[], 'manifest.inputShape');
  checkWholeNumber(m.classes as number, 2, 'manifest.classes');
  checkWholeNumber(m.exits as number, 1, 'manifest.exits');
  const exits = m.exits!;
  for (const key of ['stages', 'heads', 'fused'] as const) {
    const list = m[key];
    if (!Array.isArray(list) || list.length !== exits) {
      throw new CountMismatchError({
        field: `manifest.${key}`,
        expected: `${exits} entries`,
        received: Array.isArray(list) ? String(list.length) : JSON.stringify(list),
      });
    }
  }
  m.stages!.forEach((s, l) => {
    checkEntry(s, `manifest.stages[${l}]`, 1);
    checkFeatureSpec(s.feature, `manifest.stages[${l}].feature`);
  });
  m.heads!.forEach((h, l) => {
    checkEntry(h, `manifest.heads[${l}]`, 1);
  });
  m.fused!.forEach((f, l) => {
    checkEntry(f, `manifest.fused[${l}]`, 2);
  });
  checkEntry(m.full, 'manifest.full', 1);
  checkMacsList(m.macs?.stages, 'manifest.macs.stages', exits);
  checkMacsList(m.macs?.heads, 'manifest.macs.heads', exits);
  if (m.gate !== undefined) checkManifestGate(m.gate);
  if (m.thresholds !== undefined) {
    const t = m.thresholds;
    if (
      typeof t?.gate !== 'string' ||
      !Array.isArray(t.values) ||
      t.values.length !== exits - 1 ||
      !t.values.every((v) => Number.isFinite(v))
    ) {
      throw new InputShapeError({
        field: 'manifest.thresholds',
        expected: `{ gate, values } with ${exits - 1} finite values`,
        received: JSON.stringify(t),
      });
    }
    if (m.gate !== undefined && t.gate !== m.gate.name) {
      throw new ArgumentError({
        field: 'manifest.thresholds.gate',
        expected: `the manifest's gate ${JSON.stringify(m.gate.name)}`,
        received: JSON.stringify(t.gate),
      });
    }
  }
  if (m.calibration !== undefined) {
    if (m.calibration === null || typeof m.calibration !== 'object' || Array.isArray(m.calibration)) {
      throw new ArgumentError({ field: 'manifest.calibration', expected: 'an object', received: JSON.stringify(m.calibration) });
    }
    checkJsonData(m.calibration, 'manifest.calibration');
  }
  return m as OnnxManifest;
}

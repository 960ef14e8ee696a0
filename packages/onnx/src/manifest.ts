import {
  describeValue,
  ArgumentError,
  checkSampleShape,
  checkWholeNumber,
  CountMismatchError,
  type NetworkConfig,
  parseNetworkConfigShape,
  parsePolicySpec,
  type PolicySpec,
} from '@offramp/core';
import { checkFeatureSpec, type FeatureSpec } from './feature.js';
import { checkJsonData } from './json-data.js';

export interface GraphEntry {
  readonly file: string;
  readonly input: string;
  readonly outputs: readonly string[];
  /**
   * SHA-256 of the file's bytes, 64 lowercase hex digits. writeOnnxBundle writes it for every graph and
   * readOnnxBundle requires and checks it; a bundle built in memory (buildBundle) has none yet.
   */
  readonly sha256?: string;
}

/** The manifest's format version: 2 adds `sha256` to every graph entry of a bundle on disk. */
export const MANIFEST_VERSION = 2;

/** What an exported network holds, written next to the .onnx files as manifest.json. */
export interface OnnxManifest {
  readonly format: 'offramp-onnx';
  readonly version: 2;
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
  /**
   * The exit policy the network is served with, as core's PolicySpec: gate plugin name, its options
   * as plain JSON (a learned gate's weights too) and one threshold per exit before the last.
   */
  readonly policy?: PolicySpec;
  /** Calibration results to keep with the network, e.g. temperatures per exit. */
  readonly calibration?: Readonly<Record<string, unknown>>;
  /** The network's JSON config, if it has one. */
  readonly config?: NetworkConfig;
}

/** A graph's file: a plain name inside the bundle folder (no folders, no `..`), ending in .onnx. */
export const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.onnx$/;
const SHA256 = /^[0-9a-f]{64}$/;

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
      received: describeValue(entry),
    });
  }
  if (!FILE_NAME.test(e.file) || e.file.includes('..')) {
    throw new ArgumentError({
      field: `${field}.file`,
      expected: 'a file name inside the bundle folder (letters, digits, _ . -, ending in .onnx; no folders, no ..)',
      received: JSON.stringify(e.file),
    });
  }
  if (e.sha256 !== undefined && (typeof e.sha256 !== 'string' || !SHA256.test(e.sha256))) {
    throw new ArgumentError({
      field: `${field}.sha256`,
      expected: 'the SHA-256 of the file, 64 lowercase hex digits',
      received: describeValue(e.sha256),
    });
  }
}

function checkMacsList(values: unknown, field: string, count: number): void {
  if (!Array.isArray(values) || values.length !== count || !values.every((v) => Number.isFinite(v) && v >= 0)) {
    throw new ArgumentError({ field, expected: `${count} MAC counts >= 0`, received: describeValue(values) });
  }
}

/** Validates a manifest read from JSON; errors name the field. */
export function checkManifest(raw: unknown): OnnxManifest {
  const m = raw as Partial<Omit<OnnxManifest, 'version'>> & { version?: unknown } | null;
  if (m && typeof m === 'object' && m.format === 'offramp-onnx' && m.version === 1) {
    throw new ArgumentError({
      field: 'manifest.version',
      expected: String(MANIFEST_VERSION),
      received:
        '1 (a bundle of the first format, without file digests: convert it once with upgradeOnnxBundle(dir) of @offramp/onnx/node, or export it again)',
    });
  }
  if (!m || typeof m !== 'object' || m.format !== 'offramp-onnx' || m.version !== MANIFEST_VERSION) {
    throw new ArgumentError({
      field: 'manifest.format',
      expected: `an offramp-onnx manifest of version ${MANIFEST_VERSION}`,
      received: describeValue(m && typeof m === 'object' ? { format: m.format, version: m.version } : m),
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
        received: Array.isArray(list) ? String(list.length) : describeValue(list),
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
  if (m.policy !== undefined) {
    const policy = parsePolicySpec(m.policy, 'manifest.policy');
    if (policy.options !== undefined) checkJsonData(policy.options, 'manifest.policy.options');
    if (policy.thresholds !== undefined && policy.thresholds.length !== exits - 1) {
      throw new CountMismatchError({
        field: 'manifest.policy.thresholds',
        expected: `${exits - 1} thresholds (one per exit before the last)`,
        received: String(policy.thresholds.length),
      });
    }
  }
  if (m.config !== undefined) parseNetworkConfigShape(m.config, 'manifest.config');
  if (m.calibration !== undefined) {
    if (m.calibration === null || typeof m.calibration !== 'object' || Array.isArray(m.calibration)) {
      throw new ArgumentError({ field: 'manifest.calibration', expected: 'an object', received: describeValue(m.calibration) });
    }
    checkJsonData(m.calibration, 'manifest.calibration');
  }
  return m as OnnxManifest;
}

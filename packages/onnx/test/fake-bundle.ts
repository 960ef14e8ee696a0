import { createHash } from 'node:crypto';
import { createRng } from '@offramp/core';
import type { OnnxBundle, OnnxManifest } from '../src/index.js';

/**
 * A bundle of two exits whose graph files are seeded random bytes (writing and reading a bundle does not parse
 * the graphs): `version` changes every file's bytes, `size` is each file's length.
 */
export function fakeBundle(version: number, size = 4096): OnnxBundle {
  const rng = createRng(version);
  const files: Record<string, Uint8Array> = {};
  const file = (name: string): string => {
    files[name] = Uint8Array.from({ length: size }, () => rng.int(256));
    return name;
  };
  const manifest: OnnxManifest = {
    format: 'offramp-onnx',
    version: 2,
    name: `fake-${version}`,
    inputShape: [4],
    classes: 3,
    exits: 2,
    stages: [0, 1].map((l) => ({ file: file(`stage${l}.onnx`), input: 'x', outputs: ['y'], feature: { shape: [4], layout: 'flat' }, macs: 16 })),
    heads: [0, 1].map((l) => ({ file: file(`head${l}.onnx`), input: 'x', outputs: ['y'], macs: 12 })),
    fused: [0, 1].map((l) => ({ file: file(`fused${l}.onnx`), input: 'input', outputs: ['features', 'logits'] })),
    full: { file: file('full.onnx'), input: 'input', outputs: ['logits'] },
    macs: { stages: [16, 16], heads: [12, 12] },
  };
  return { manifest, files };
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The bytes of each graph of `bundle`, by the graph's role (stage0, head1, full, ...), as hex digests. */
export function digestsByRole(bundle: OnnxBundle): Record<string, string> {
  const m = bundle.manifest;
  const roles: [string, string][] = [
    ...m.stages.map((e, l) => [`stage${l}`, e.file] as [string, string]),
    ...m.heads.map((e, l) => [`head${l}`, e.file] as [string, string]),
    ...m.fused.map((e, l) => [`fused${l}`, e.file] as [string, string]),
    ['full', m.full.file],
  ];
  return Object.fromEntries(roles.map(([role, file]) => [role, sha256(bundle.files[file]!)]));
}

/** 'A' or 'B' when `read` has exactly the graphs (every byte) and the name of that version; otherwise 'a mix'. */
export function versionOf(read: OnnxBundle, versions: Record<string, OnnxBundle>): string {
  const seen = JSON.stringify([read.manifest.name, digestsByRole(read), Object.keys(read.files).length]);
  for (const [label, bundle] of Object.entries(versions)) {
    if (seen === JSON.stringify([bundle.manifest.name, digestsByRole(bundle), Object.keys(bundle.files).length])) return label;
  }
  return `a mix: ${seen}`;
}
